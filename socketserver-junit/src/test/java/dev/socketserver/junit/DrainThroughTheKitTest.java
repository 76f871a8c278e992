package dev.socketserver.junit;

import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kit records what clients send by wrapping the connection or the protocol; the wrappers pass
 * the drain's news on ({@code Connection.onDrain}, {@code Protocol.drainStarted}), so a handler
 * served by the kit says goodbye as it would in production.
 */
@Timeout(30)
class DrainThroughTheKitTest {

    @Test
    void aBlockingHandlersDrainActionRunsThroughTheRecording() throws Exception {
        try (var kit = TestServer.tcp(conn -> {
            conn.onDrain(() -> {
                try {
                    conn.out().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    // the client went away
                }
                conn.close();
            });
            while (conn.readLine(100) != null) {
                // answers nothing: never at a quiet point
            }
        }).start()) {
            assertGoodbye(kit);
        }
    }

    @Test
    void aProtocolsDrainCallbackRunsThroughTheRecording() throws Exception {
        try (var kit = TestServer.asyncTcp(() -> new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport transport) {
                this.transport = transport;
            }

            @Override
            public void drainStarted() {
                transport.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.US_ASCII)));
                transport.close();
            }
        }).start()) {
            assertGoodbye(kit);
        }
    }

    private static void assertGoodbye(TestServer kit) throws Exception {
        try (Socket client = new Socket(kit.host(), kit.port())) {
            client.setSoTimeout(20_000);
            client.getOutputStream().write("unanswered\n".getBytes(StandardCharsets.US_ASCII));
            kit.takeRequest();   // the connection is open and recorded
            var drained = java.util.concurrent.CompletableFuture.supplyAsync(() -> kit.server().shutdown(Duration.ofMinutes(1)));
            var lines = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(lines.readLine()).isEqualTo("bye");
            assertThat(lines.readLine()).isNull();
            assertThat(drained.get(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
    }
}
