package dev.socketserver.examples;

import dev.socketserver.BaseRequestHandler;
import dev.socketserver.Concurrency;
import dev.socketserver.Connection;
import dev.socketserver.TcpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's greeters greet every client, the threading one included (the seed's Python version greets nobody). */
@Timeout(60)
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

    @Test
    void theForkingGreeterGreetsEachClientFromAChildProcess() throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), ForkingGreetingServer.class.getName(), "0"));
        Process server = new ProcessBuilder(command).start();
        try {
            String listening = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(listening).startsWith("listening on tcp://");
            int port = Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1));
            for (int i = 0; i < 3; i++) {
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    client.setSoTimeout(30_000);
                    assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("connection");
                }
            }
            server.toHandle().destroy();
            assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String log = new String(server.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher greeted = Pattern.compile("got connection from /127\\.0\\.0\\.1:\\d+ in process (\\d+)").matcher(log);
            Set<Long> pids = new HashSet<>();
            while (greeted.find()) {
                pids.add(Long.parseLong(greeted.group(1)));
            }
            assertThat(pids).as(log).hasSize(3).doesNotContain(server.pid());
        } finally {
            server.destroyForcibly();
        }
    }
}
