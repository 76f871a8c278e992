package dev.socketserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The child JVM of {@link OwnPollerTest}'s native-access cases: a virtual-thread echo server that
 * echoes one line to itself, then prints {@code waits through own} or {@code waits through jdk}
 * (whether the library's poller served the connection) and exits.
 */
final class PollerChoiceChild {
    private PollerChoiceChild() {
    }

    public static void main(String[] args) throws Exception {
        try (TcpServer server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), conn -> conn.in().transferTo(conn.out()),
                Concurrency.virtualThreads())) {
            Thread serving = Thread.ofPlatform().start(() -> {
                try {
                    server.serveForever();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            boolean own;
            try (Socket client = new Socket()) {
                client.connect(server.serverAddress(), 5_000);
                client.setSoTimeout(5_000);
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
                byte[] reply = client.getInputStream().readNBytes(5);
                if (!new String(reply, StandardCharsets.UTF_8).equals("ping\n")) {
                    throw new AssertionError("echoed " + new String(reply, StandardCharsets.UTF_8));
                }
                own = Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("socketserver-poller-waker"));
            }
            server.shutdown();
            serving.join(5_000);
            System.out.println("waits through " + (own ? "own" : "jdk"));
        }
    }
}
