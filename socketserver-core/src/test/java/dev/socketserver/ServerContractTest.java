package dev.socketserver;

import dev.socketserver.async.AsyncServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one {@link Server} contract, for every server kind in both families: a program that knows
 * only {@code Server} starts it, finds its address, serves a client, reads its counters and drains
 * it, and {@code serveForever()} after {@code start()} waits for the background serving to end.
 */
@Timeout(60)
class ServerContractTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "udp", "unix", "unixgram", "async tcp", "async udp", "async unix", "async unixgram"})
    void everyServerKindIsDrivenThroughServerAlone(String kind) throws Exception {
        try (Server server = open(kind)) {
            server.start();
            String scheme = kind.replace("async ", "");
            assertThat(server.serverUri()).startsWith(scheme.equals("tcp") || scheme.equals("udp") ? scheme + "://127.0.0.1:" : scheme + ":");
            assertThat(echo(scheme, server.serverAddress(), "contract")).isEqualTo("contract");
            TestServers.await(DEADLINE, "the request is counted", () -> server.stats().bytesOut() == "contract".length());
            assertThat(server.isDraining()).isFalse();

            assertThat(server.shutdown(Duration.ofSeconds(5))).isTrue();
            assertThat(server.isDraining()).isTrue();
            if (scheme.equals("tcp") || scheme.equals("unix")) {
                assertThatThrownBy(() -> echo(scheme, server.serverAddress(), "refused")).isInstanceOf(SocketException.class);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "async tcp"})
    void serveForeverAfterStartWaitsForTheServingToEnd(String kind) throws Exception {
        try (Server server = open(kind)) {
            server.start();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    server.serveForever();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(echo("tcp", server.serverAddress(), "still serving")).isEqualTo("still serving");
            assertThat(waiting).isNotDone();
            server.shutdown(Duration.ofSeconds(5));
            waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "async tcp"})
    void interruptingServeForeverClosesTheServer(String kind) throws Exception {
        try (Server server = open(kind)) {
            CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
            Thread serving = Thread.ofPlatform().start(() -> {
                try {
                    server.serveForever();
                    interruptedAfter.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    interruptedAfter.completeExceptionally(t);
                }
            });
            assertThat(echo("tcp", server.serverAddress(), "up")).isEqualTo("up");
            serving.interrupt();
            assertThat(interruptedAfter.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("returned with the interrupt status").isTrue();
            assertThatThrownBy(() -> echo("tcp", server.serverAddress(), "refused")).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void startTwiceIsRefused() throws Exception {
        try (Server server = open("tcp")) {
            server.start();
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        }
    }

    private Server open(String kind) throws IOException {
        InetSocketAddress loopback = TestServers.loopback();
        return switch (kind) {
            case "tcp" -> new TcpServer(loopback, conn -> conn.in().transferTo(conn.out()));
            case "udp" -> new UdpServer(loopback, d -> d.reply(d.data()));
            case "unix" -> new UnixStreamServer(dir.resolve("s.sock"), conn -> conn.in().transferTo(conn.out()));
            case "unixgram" -> new UnixDatagramServer(UnixAddress.of(dir.resolve("d.sock")), d -> d.reply(d.data()));
            case "async tcp" -> AsyncServer.tcp(loopback, AsyncEchoes.StreamEcho::new);
            case "async udp" -> AsyncServer.udp(loopback, new AsyncEchoes.DatagramEcho());
            case "async unix" -> AsyncServer.unix(dir.resolve("s.sock"), AsyncEchoes.StreamEcho::new);
            case "async unixgram" -> AsyncServer.unixgram(UnixAddress.of(dir.resolve("d.sock")), new AsyncEchoes.DatagramEcho());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private String echo(String scheme, SocketAddress server, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        switch (scheme) {
            case "tcp", "unix" -> {
                try (SocketChannel client = scheme.equals("tcp") ? SocketChannel.open(server)
                        : SocketChannel.open(UnixDomainSocketAddress.of(((UnixDomainSocketAddress) server).getPath()))) {
                    client.write(ByteBuffer.wrap(bytes));
                    ByteBuffer reply = ByteBuffer.allocate(bytes.length);
                    long deadline = System.nanoTime() + DEADLINE.toNanos();
                    while (reply.hasRemaining() && System.nanoTime() < deadline && client.read(reply) >= 0) {
                        // read until the whole echo is in
                    }
                    return new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8);
                }
            }
            case "udp" -> {
                try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    client.setSoTimeout((int) DEADLINE.toMillis());
                    client.send(new DatagramPacket(bytes, bytes.length, server));
                    DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                    client.receive(reply);
                    return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                }
            }
            case "unixgram" -> {
                try (var client = UnixDatagramSocket.bind(UnixAddress.of(dir.resolve("client.sock")))) {
                    client.send(bytes, (UnixAddress) server);
                    var reply = client.receive(DEADLINE);
                    if (reply == null) {
                        throw new SocketTimeoutException("no reply");
                    }
                    return new String(reply.data(), StandardCharsets.UTF_8);
                }
            }
            default -> throw new IllegalArgumentException(scheme);
        }
    }
}
