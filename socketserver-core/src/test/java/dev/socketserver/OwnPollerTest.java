package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Handlers on virtual threads wait for their sockets through the library's own poller (issue 16):
 * each socket registered once, edge-triggered, instead of the JDK's re-armed registration before
 * every wait. What that must keep: every byte in order when many connections read and write in
 * bulk at once, a read timeout that leaves the connection usable (on Unix streams too, where the
 * JDK has no timed read), a waiting handler woken when its connection is closed under it, the
 * poller's threads gone once the server and its last connection are, and no JDK warning where
 * the JVM grants no native access (the JDK's pollers serve then).
 */
@Timeout(60)
class OwnPollerTest {
    private static final String WAKER = "socketserver-poller-waker";

    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @BeforeEach
    void needsTheLibrarysOwnPoller() {
        assumeFalse("jdk".equals(System.getProperty("socketserver.poller")), "this JVM runs with -Dsocketserver.poller=jdk: JDK pollers only");
    }

    static Stream<Concurrency> virtualModels() {
        return Stream.of(Concurrency.virtualThreads(), Concurrency.bounded(64));
    }

    private StreamServer server(Transport transport, ConnectionHandler handler, Concurrency concurrency) throws IOException {
        return transport == Transport.TCP
                ? new TcpServer(TestServers.loopback(), handler, concurrency)
                : new UnixStreamServer(dir.resolve("p.sock"), handler, concurrency);
    }

    private static SocketChannel connect(StreamServer server) throws IOException {
        return SocketChannel.open(server instanceof UnixStreamServer unix ? UnixDomainSocketAddress.of(unix.path()) : server.serverAddress());
    }

    private static boolean wakerAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(WAKER) && t.isAlive());
    }

    @DisplayName("virtual threads wait through the library's poller, whose threads end after the server and its last connection; platform threads do not use it")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void thePollerServesVirtualThreadsAndEndsWithTheirLastConnection(Transport transport) throws Exception {
        TestServers.await(DEADLINE, "no poller left by earlier tests", () -> !wakerAlive());
        CountDownLatch release = new CountDownLatch(1);
        ConnectionHandler echoThenWait = conn -> {
            conn.out().write(conn.readLine().concat("\n").getBytes(StandardCharsets.UTF_8));
            release.await();
        };
        StreamServer server = server(transport, echoThenWait, Concurrency.virtualThreads());
        Serving<?> serving = TestServers.serve(server);
        try (var client = StreamClient.connect(server.serverAddress())) {
            client.send("hello\n");
            assertThat(client.readLine()).isEqualTo("hello");
            assertThat(wakerAlive()).as("the poller's waker thread while a connection is open").isTrue();
            server.close();   // running requests go on: virtual threads are not waited for
            assertThat(wakerAlive()).as("the poller outlives the server while a connection is open").isTrue();
            release.countDown();
            TestServers.await(DEADLINE, "the poller's threads end after the last connection", () -> !wakerAlive());
        } finally {
            release.countDown();
            serving.close();
        }

        try (var threads = server(transport, echoThenWait, Concurrency.threads());
             Serving<?> _ = TestServers.serve(threads);
             var client = StreamClient.connect(threads.serverAddress())) {
            client.send("hi\n");
            assertThat(client.readLine()).isEqualTo("hi");
            assertThat(wakerAlive()).as("a poller for platform threads").isFalse();
        } finally {
            release.countDown();
        }
    }

    @DisplayName("the library's poller needs native access: without --enable-native-access the JDK's pollers serve, and the JDK prints no warning")
    @ParameterizedTest(name = "native access: {0}")
    @ValueSource(booleans = {true, false})
    void thePollerIsUsedOnlyWithNativeAccess(boolean nativeAccess) throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Files.isDirectory(Path.of(entry))).collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath));
        if (nativeAccess) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.add(PollerChoiceChild.class.getName());
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String said = output.get(30, TimeUnit.SECONDS);
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(said).as("the child's output").isEqualTo("waits through " + (nativeAccess ? "own" : "jdk") + "\n");
        } finally {
            child.destroyForcibly();
        }
    }

    @DisplayName("50 connections exchange 1 MiB each in random pieces at once: every byte comes back in order")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void bulkEchoAtOnceKeepsEveryByte(Transport transport) throws Exception {
        int connections = 50;
        int size = 1 << 20;
        ConnectionHandler echo = conn -> conn.in().transferTo(conn.out());
        try (var server = server(transport, echo, Concurrency.virtualThreads());
             Serving<?> _ = TestServers.serve(server);
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> same = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                long seed = c;
                same.add(clients.submit(() -> {
                    byte[] sent = new byte[size];
                    Random random = new Random(seed);
                    random.nextBytes(sent);
                    try (SocketChannel channel = connect(server)) {
                        Future<?> writing = clients.submit(() -> {
                            OutputStream out = Channels.newOutputStream(channel);
                            for (int at = 0; at < size; ) {
                                int piece = Math.min(size - at, 1 + random.nextInt(70_000));
                                out.write(sent, at, piece);
                                at += piece;
                            }
                            channel.shutdownOutput();
                            return null;
                        });
                        byte[] received = Channels.newInputStream(channel).readAllBytes();
                        writing.get();
                        return Arrays.equals(sent, received);
                    }
                }));
            }
            for (Future<Boolean> each : same) {
                assertThat(each.get(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @DisplayName("virtual threads: a read that timed out may be retried and then succeeds, on a Unix stream too")
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"TCP", "UNIX"})
    void aReadThatTimedOutMayBeRetried(Transport transport) throws Exception {
        CountDownLatch timedOut = new CountDownLatch(1);
        ConnectionHandler retrying = conn -> {
            conn.setReadTimeout(Duration.ofMillis(100));
            try {
                conn.readLine();
            } catch (SocketTimeoutException e) {
                timedOut.countDown();
            }
            conn.setReadTimeout(Duration.ZERO);
            conn.out().write(("got " + conn.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
        };
        try (var server = server(transport, retrying, Concurrency.virtualThreads());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(timedOut.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            client.send("late\n");
            assertThat(client.readToEof()).isEqualTo("got late\n");
        }
    }

    @DisplayName("a handler waiting to read, or to write to a client that does not read, fails promptly when the idle timeout closes its connection")
    @ParameterizedTest(name = "{0}")
    @MethodSource("virtualModels")
    void aWaitingHandlerWakesWhenItsConnectionIsClosed(Concurrency concurrency) throws Exception {
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bothFailed = new CountDownLatch(2);
        ConnectionHandler handler = conn -> {
            try {
                if (conn.readLine().equals("write")) {
                    byte[] chunk = new byte[64 * 1024];
                    while (true) {
                        conn.out().write(chunk);
                    }
                }
                conn.readLine();
            } catch (IOException e) {
                failures.add(e);
                bothFailed.countDown();
                throw e;
            }
        };
        try (var server = new TcpServer(TestServers.loopback(), handler, concurrency,
                ServerOptions.builder().idleTimeout(Duration.ofMillis(300)).build());
             Serving<?> _ = TestServers.serve(server);
             var reader = StreamClient.connect(server.serverAddress());
             var writer = StreamClient.connect(server.serverAddress())) {
            reader.send("read\n");
            writer.send("write\n");
            assertThat(bothFailed.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).as("both handlers failed").isTrue();
            assertThat(failures).hasSize(2);
            TestServers.await(DEADLINE, "both requests ended", () -> server.activeRequests() == 0);
        }
    }
}
