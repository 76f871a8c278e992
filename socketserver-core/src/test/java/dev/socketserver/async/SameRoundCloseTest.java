package dev.socketserver.async;

import dev.socketserver.LogCapture;
import dev.socketserver.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A callback may close other connections of its loop, as a chat server does with the clients it
 * throws out, and some of those may be ready in the same round of the loop, their events still to
 * come. They are skipped: before, each was handed to its closed connection, whose key threw, and
 * the loop logged an "unexpected failure" at ERROR for every one.
 */
@Timeout(60)
class SameRoundCloseTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int CLIENTS = 30;

    private AsyncServer server;

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void connectionsClosedByACallbackBeforeTheirTurnInTheRoundAreSkippedQuietly() throws Exception {
        List<Transport> open = new CopyOnWriteArrayList<>();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                open.add(t);
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                for (Transport other : open) {
                    if (other != transport) {
                        other.abort();   // on this loop: closed now, its event perhaps still to come in this round
                    }
                }
                open.removeIf(Transport::isClosing);
                transport.write(data);
            }
        });
        server.setEventLoops(1);
        server.start();
        try (var capture = new LogCapture()) {
            for (int round = 0; round < 5; round++) {
                List<SocketChannel> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        clients.add(SocketChannel.open(server.serverAddress()));
                    }
                    TestServers.await(Duration.ofSeconds(20), CLIENTS + " connections made", () -> open.size() >= CLIENTS);
                    for (SocketChannel client : clients) {   // all at once, so that one round of the loop holds many of them
                        client.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)));
                    }
                    for (SocketChannel client : clients) {
                        try {
                            client.read(ByteBuffer.allocate(1));   // the echo, or the end: either is fine
                        } catch (IOException reset) {
                            // aborted by another connection's callback
                        }
                    }
                } finally {
                    for (SocketChannel client : clients) {
                        client.close();
                    }
                }
                open.clear();
            }
            assertThat(capture.entries()).as("nothing logged: no failure in the loop").isEmpty();
        }
        try (SocketChannel client = SocketChannel.open(server.serverAddress())) {
            client.write(ByteBuffer.wrap("still serving".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(13);
            while (answer.hasRemaining() && client.read(answer) >= 0) {
                // until the whole echo is in
            }
            assertThat(new String(answer.array(), StandardCharsets.US_ASCII)).isEqualTo("still serving");
        }
    }
}
