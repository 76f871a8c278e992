package dev.socketserver.examples;

import dev.socketserver.BaseRequestHandler;
import dev.socketserver.Concurrency;
import dev.socketserver.Connection;
import dev.socketserver.TcpServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's greeters greet every client, the threading one included (the seed's Python version greets nobody). */
@Timeout(20)
class SeedExamplesTest {

    static Stream<Arguments> greeters() {
        return Stream.of(
                Arguments.of("synchronous", (Supplier<BaseRequestHandler<Connection>>) GreetingServer.Handler::new, Concurrency.synchronous()),
                Arguments.of("threading", (Supplier<BaseRequestHandler<Connection>>) ThreadingGreetingServer.Handler::new, Concurrency.threads()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("greeters")
    void everyClientIsGreetedWithConnection(String name, Supplier<BaseRequestHandler<Connection>> handler, Concurrency model) throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), handler, model)) {
            Thread serving = Thread.ofPlatform().start(() -> {
                try {
                    server.serveForever();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            var address = (InetSocketAddress) server.serverAddress();
            for (int i = 0; i < 3; i++) {
                try (Socket client = new Socket(address.getAddress(), address.getPort())) {
                    client.setSoTimeout(5_000);
                    assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("connection");
                }
            }
            server.shutdown();
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
    }
}
