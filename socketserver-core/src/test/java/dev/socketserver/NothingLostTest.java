package dev.socketserver;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md I3 in small: 20 clients at once each send 50 messages of 1 byte to 16 KiB with a
 * sequence number, over TCP, a Unix stream, TLS, and TLS behind a PROXY header; every echo comes
 * back byte for byte and in order. Then each client sends one more message and the server is
 * drained while those are in flight: every one of them is answered in full before the connection
 * closes, at the quiet point after it. On the plain transports the server's byte counts equal what the clients sent.
 */
@Timeout(60)
class NothingLostTest {
    private static final int CLIENTS = 20;
    private static final int MESSAGES = 50;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    enum Kind { TCP, UNIX, TLS, TLS_BEHIND_PROXY }

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @BeforeAll
    static void loadCertificates() throws Exception {
        serverContext = TestCertificates.serverContext();
        clientContext = TestCertificates.clientContext(false);
    }

    /** Echoes length-prefixed messages until EOF; the reply to the last one is written while the server drains. */
    private static final ConnectionHandler ECHO_MESSAGES = conn -> {
        var in = new DataInputStream(conn.in());
        OutputStream out = conn.out();
        while (true) {
            int length;
            try {
                length = in.readInt();
            } catch (java.io.EOFException end) {
                return;
            }
            byte[] reply = new byte[4 + length];
            System.arraycopy(ByteBuf.intBytes(length), 0, reply, 0, 4);
            in.readFully(reply, 4, length);
            out.write(reply);   // one write: with Nagle's algorithm on (the default) a second small write waits ~40 ms for an ACK
        }
    };

    @ParameterizedTest(name = "{0}")
    @EnumSource(Kind.class)
    void everyMessageIsEchoedWholeAndInOrderThroughLoadAndDrain(Kind kind) throws Exception {
        ServerOptions.Builder options = ServerOptions.builder();
        if (kind == Kind.TLS || kind == Kind.TLS_BEHIND_PROXY) {
            options.tls(TlsOptions.of(serverContext));
        }
        if (kind == Kind.TLS_BEHIND_PROXY) {
            options.proxyProtocol(ProxyProtocol.from("127.0.0.0/8"));
        }
        StreamServer server = kind == Kind.UNIX
                ? new UnixStreamServer(dir.resolve("n.sock"), ECHO_MESSAGES, Concurrency.virtualThreads(), options.build())
                : new TcpServer(new InetSocketAddress("127.0.0.1", 0), ECHO_MESSAGES, Concurrency.virtualThreads(), options.build());
        Thread serving = Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
        CountDownLatch loaded = new CountDownLatch(CLIENTS);
        CompletableFuture<Void> draining = new CompletableFuture<>();
        long sent;
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> bytes = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                bytes.add(clients.submit(() -> oneClient(server, kind, client, loaded, draining)));
            }
            assertThat(loaded.await(30, TimeUnit.SECONDS)).as("every client sent its load and its last message").isTrue();
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            TestServers.await(DEADLINE, "the server drains", server::isDraining);
            draining.complete(null);
            sent = 0;
            for (Future<Long> b : bytes) {
                sent += b.get(30, TimeUnit.SECONDS);
            }
            assertThat(drained.get(20, TimeUnit.SECONDS)).as("every request finished before the drain deadline").isTrue();
        }
        serving.join(5_000);
        if (kind == Kind.TCP || kind == Kind.UNIX) {
            assertThat(server.stats().bytesIn()).isEqualTo(sent);
            assertThat(server.stats().bytesOut()).isEqualTo(sent);
        }
        assertThat(server.stats().handlerErrors()).isZero();
    }

    /** One client's whole run; returns the bytes it sent, all of which it checked came back. */
    private long oneClient(StreamServer server, Kind kind, int client, CountDownLatch loaded, CompletableFuture<Void> draining)
            throws Exception {
        Random random = new Random(client);
        try (var connection = open(server, kind)) {
            OutputStream out = new java.io.BufferedOutputStream(connection.out(), 20 * 1024);   // one write per message
            DataInputStream in = new DataInputStream(connection.in());
            long sent = 0;
            for (int seq = 0; seq <= MESSAGES; seq++) {
                byte[] message = message(client, seq, 1 + random.nextInt(16 * 1024));
                out.write(ByteBuf.intBytes(message.length));
                out.write(message);
                out.flush();
                sent += 4 + message.length;
                if (seq == MESSAGES) {
                    loaded.countDown();
                    draining.get(30, TimeUnit.SECONDS);   // the drain starts while the last message is in flight
                }
                int length = in.readInt();
                byte[] echoed = in.readNBytes(length);
                assertThat(Arrays.equals(echoed, message)).as("client %d message %d", client, seq).isTrue();
            }
            connection.endOutput();
            assertThat(in.read()).as("EOF after the last echo").isEqualTo(-1);
            return sent;
        }
    }

    private static byte[] message(int client, int seq, int length) {
        byte[] header = ("c" + client + " #" + seq + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] message = new byte[Math.max(length, header.length)];
        new Random(client * 1000L + seq).nextBytes(message);
        System.arraycopy(header, 0, message, 0, header.length);
        return message;
    }

    /** A client connection of any kind: streams, and EOF. */
    private interface ClientConnection extends AutoCloseable {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        void endOutput() throws IOException;

        @Override
        void close() throws IOException;
    }

    private ClientConnection open(StreamServer server, Kind kind) throws IOException {
        if (kind == Kind.UNIX) {
            SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(((UnixStreamServer) server).path()));
            return new ClientConnection() {
                public InputStream in() {
                    return Channels.newInputStream(channel);
                }

                public OutputStream out() {
                    return Channels.newOutputStream(channel);
                }

                public void endOutput() throws IOException {
                    channel.shutdownOutput();
                }

                public void close() throws IOException {
                    channel.close();
                }
            };
        }
        var address = (InetSocketAddress) server.serverAddress();
        Socket raw = new Socket();
        raw.connect(address, 10_000);
        raw.setSoTimeout(10_000);
        if (kind == Kind.TLS_BEHIND_PROXY) {
            raw.getOutputStream().write(("PROXY TCP4 192.0.2.1 192.0.2.2 1000 443\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        Socket socket = kind == Kind.TCP ? raw
                : (SSLSocket) clientContext.getSocketFactory().createSocket(raw, "localhost", address.getPort(), true);
        return new ClientConnection() {
            public InputStream in() throws IOException {
                return socket.getInputStream();
            }

            public OutputStream out() throws IOException {
                return socket.getOutputStream();
            }

            public void endOutput() throws IOException {
                if (socket instanceof SSLSocket) {
                    socket.close();   // close_notify; the server's read ends
                } else {
                    socket.shutdownOutput();
                }
            }

            public void close() throws IOException {
                socket.close();
            }
        };
    }

    /** Big-endian ints, as DataInputStream reads them. */
    private static final class ByteBuf {
        static byte[] intBytes(int value) {
            return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        }
    }
}
