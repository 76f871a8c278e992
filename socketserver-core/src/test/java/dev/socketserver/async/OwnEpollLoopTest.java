package dev.socketserver.async;

import dev.socketserver.Descriptors;
import dev.socketserver.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A stream server's event loops wait through an epoll instance of the library's own, and its
 * connections are descriptors read and written through FFM (issue 16), where the JVM grants native
 * access, as surefire does. What that must keep: the choice itself (stream servers only, and
 * {@code socketserver.poller=jdk} turns it off), every byte in order in bulk, buffers of every
 * kind queued behind a full socket and sent together, no descriptor left behind, and a listener
 * closed while a successor keeps it open that does not leave the loop spinning on its readiness.
 * (A connection closed by another's callback in the same round: {@link SameRoundCloseTest}.)
 * The other tests of this package and the contract suite run on these loops too, and again on
 * the JDK's selectors (surefire's {@code jdk-pollers} execution).
 */
@Timeout(60)
class OwnEpollLoopTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private AsyncServer server;

    @BeforeEach
    void needsTheLibrarysOwnEpoll() {
        assumeFalse("jdk".equals(System.getProperty("socketserver.poller")), "this JVM runs with -Dsocketserver.poller=jdk: JDK selectors only");
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    private AsyncServer stream(boolean unix) throws IOException {
        return unix ? AsyncServer.unix(dir.resolve("e.sock"), AsyncServerTest.Echo::new) : AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new);
    }

    private static SocketChannel connect(AsyncServer server) throws IOException {
        return SocketChannel.open(server.serverAddress());
    }

    @DisplayName("TCP and Unix stream servers wait through their own epoll; socketserver.poller=jdk turns it off; the echo is the same either way")
    @ParameterizedTest(name = "unix: {0}")
    @ValueSource(booleans = {false, true})
    void streamServersWaitThroughTheirOwnEpollUnlessTurnedOff(boolean unix) throws Exception {
        server = stream(unix);
        server.setEventLoops(2);
        server.start();
        assertThat(server.listenerDescriptor()).as("the listener's descriptor, accepted from with accept4").isGreaterThanOrEqualTo(0);
        assertThat(roundTrip(server, "own epoll")).isEqualTo("own epoll");
        server.close();

        System.setProperty("socketserver.poller", "jdk");
        try {
            server = stream(unix);
            server.start();
        } finally {
            System.clearProperty("socketserver.poller");
        }
        assertThat(server.listenerDescriptor()).as("turned off: JDK selectors").isEqualTo(-1);
        assertThat(roundTrip(server, "selector")).isEqualTo("selector");
    }

    @DisplayName("50 connections exchange 1 MiB each in random pieces at once: every byte comes back in order")
    @ParameterizedTest(name = "unix: {0}")
    @ValueSource(booleans = {false, true})
    void bulkEchoAtOnceKeepsEveryByte(boolean unix) throws Exception {
        server = stream(unix);
        server.setEventLoops(2);
        server.start();
        assertThat(server.listenerDescriptor()).isGreaterThanOrEqualTo(0);
        int connections = 50;
        int size = 1 << 20;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                long seed = c;
                results.add(clients.submit(() -> bulkExchange(server, size, seed)));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("every byte back, in order").isTrue();
            }
        }
    }

    private static boolean bulkExchange(AsyncServer server, int size, long seed) throws Exception {
        byte[] sent = new byte[size];
        Random random = new Random(seed);
        random.nextBytes(sent);
        try (SocketChannel channel = connect(server)) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = Channels.newOutputStream(channel);
                    for (int at = 0; at < size; ) {
                        int piece = Math.min(size - at, 1 + random.nextInt(40_000));
                        out.write(sent, at, piece);
                        at += piece;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            InputStream in = Channels.newInputStream(channel);
            byte[] received = in.readNBytes(size);
            writer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            return Arrays.equals(sent, received);
        }
    }

    @Test
    @DisplayName("heap, direct and read-only buffers, many queued behind a full socket and sent together, arrive whole and in order")
    void buffersOfEveryKindQueuedBehindAFullSocketArriveInOrder() throws Exception {
        int chunks = 200;
        int chunkSize = 10_000;
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                for (int i = 0; i < chunks; i++) {
                    byte[] chunk = new byte[chunkSize];
                    Arrays.fill(chunk, (byte) i);
                    ByteBuffer buffer = switch (i % 4) {
                        case 0 -> ByteBuffer.wrap(chunk);
                        case 1 -> ByteBuffer.wrap(chunk).asReadOnlyBuffer();
                        case 2 -> ByteBuffer.allocateDirect(chunkSize).put(chunk).flip();
                        default -> ByteBuffer.allocateDirect(chunkSize).put(chunk).flip().asReadOnlyBuffer();
                    };
                    transport.write(buffer);
                }
                transport.close();
            }
        });
        server.start();
        assertThat(server.listenerDescriptor()).isGreaterThanOrEqualTo(0);
        try (SocketChannel client = connect(server)) {
            client.write(ByteBuffer.wrap(new byte[] {'g'}));
            byte[] received = Channels.newInputStream(client).readAllBytes();
            assertThat(received).hasSize(chunks * chunkSize);
            for (int i = 0; i < chunks; i++) {
                byte expected = (byte) i;
                for (int j = i * chunkSize; j < (i + 1) * chunkSize; j++) {
                    if (received[j] != expected) {
                        throw new AssertionError("byte " + j + " is " + received[j] + ", not " + expected);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("connections, the listener and the loops' own descriptors are all closed when the server closes")
    void noDescriptorIsLeftAfterTheServerCloses() throws Exception {
        int before = Descriptors.baseline();
        server = AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new);
        server.setEventLoops(2);
        server.start();
        assertThat(server.listenerDescriptor()).isGreaterThanOrEqualTo(0);
        List<SocketChannel> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                SocketChannel client = connect(server);
                clients.add(client);
                if (i % 2 == 0) {
                    assertThat(roundTripOn(client, "c" + i)).isEqualTo("c" + i);
                }
            }
            for (int i = 0; i < 10; i++) {
                clients.get(i).close();   // some close first, the rest are closed by the server
            }
            server.close();
            for (SocketChannel client : clients.subList(10, 20)) {
                assertThat(endOfStreamOrReset(client)).as("closed by the server").isTrue();
                client.close();
            }
            TestServers.await(DEADLINE, "every descriptor closed", () -> Descriptors.open() == before);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
        }
    }

    @Test
    @DisplayName("a listener closed while another descriptor keeps its socket open (a successor's, after a reload) does not leave the loop spinning")
    void aListenerKeptOpenElsewhereDoesNotLeaveTheLoopSpinning() throws Throwable {
        server = AsyncServer.tcp(LOOPBACK, AsyncServerTest.Echo::new);
        server.setEventLoops(1);
        server.start();
        int listener = server.listenerDescriptor();
        assertThat(listener).isGreaterThanOrEqualTo(0);
        Linker linker = Linker.nativeLinker();
        MethodHandle dup = linker.downcallHandle(linker.defaultLookup().find("dup").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        MethodHandle close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        int successors = (int) dup.invokeExact(listener);
        assertThat(successors).isGreaterThanOrEqualTo(0);
        try (SocketChannel held = connect(server)) {
            assertThat(roundTripOn(held, "held")).isEqualTo("held");   // a connection the drain waits for
            CompletableFuture<Boolean> drain = CompletableFuture.supplyAsync(() -> server.shutdown(Duration.ofSeconds(10)));
            TestServers.await(DEADLINE, "the drain has closed the listener's descriptor", () -> !Files.exists(Path.of("/proc/self/fd/" + listener)));
            // the socket still listens through the other descriptor: a connection waits in its backlog, which keeps it readable
            SocketChannel waiting = SocketChannel.open(server.serverAddress());
            waiting.close();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long loop = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("socketserver-loop-0")).findFirst().orElseThrow().threadId();
            long before = threads.getThreadCpuTime(loop);
            Thread.sleep(500);   // not a wait for a condition: the window watched, which a loop spinning on the listener's readiness burns whole
            long spent = threads.getThreadCpuTime(loop) - before;
            assertThat(Duration.ofNanos(spent)).as("the loop's CPU time while the drain waits").isLessThan(Duration.ofMillis(150));
            held.close();
            assertThat(drain.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("drained").isTrue();
        } finally {
            int ignored = (int) close.invokeExact(successors);
        }
    }

    private static String roundTrip(AsyncServer server, String text) throws IOException {
        try (SocketChannel client = connect(server)) {
            return roundTripOn(client, text);
        }
    }

    private static String roundTripOn(SocketChannel client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.write(ByteBuffer.wrap(bytes));
        ByteBuffer answer = ByteBuffer.allocate(bytes.length);
        while (answer.hasRemaining()) {
            if (client.read(answer) < 0) {
                break;
            }
        }
        return new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8);
    }

    private static boolean endOfStreamOrReset(SocketChannel client) {
        try {
            return client.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException reset) {
            return true;
        }
    }
}
