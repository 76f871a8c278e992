package dev.socketserver.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13's first test, through the command as a user runs it: a client that sends up to 200 MiB
 * to {@code socketserver echo} and never reads its echoes grows the server's resident memory
 * (summed over its processes, worker processes included) by at most 16 MiB, plain and over TLS, in
 * every concurrency model that serves more than one client at a time; and another client is served
 * meanwhile. The client is held back by TCP once the server stops reading it. The same over a Unix
 * stream socket, plain.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NeverReadingClientMemoryTest {
    private static final long TRIED = 200L * 1024 * 1024;
    private static final long BOUND = 16L * 1024 * 1024;
    private static final long STALL_NANOS = 1_500_000_000L;
    /** Long enough for the server to stop reading a warm-up client that does not read. */
    private static final long WARM_UP_STALL_NANOS = 300_000_000L;

    static Stream<Arguments> modes() {
        List<Arguments> cases = new ArrayList<>();
        for (String mode : List.of("threads", "virtual", "bounded:8", "workers:2", "async")) {
            cases.add(Arguments.of(mode, false));
            cases.add(Arguments.of(mode, true));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, tls={1}")
    @MethodSource("modes")
    void aClientThatNeverReadsCostsTheServerAFewMebibytes(String mode, boolean tls) throws Exception {
        List<String> args = new ArrayList<>(List.of("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode));
        if (tls) {
            Path certs = Path.of(NeverReadingClientMemoryTest.class.getResource("/tls/server-cert.pem").toURI()).getParent();
            args.addAll(List.of("--tls-cert", certs.resolve("server-cert.pem").toString(), "--tls-key", certs.resolve("server-key.pem").toString()));
        }
        try (var cli = CliProcess.start(args.toArray(String[]::new))) {
            InetSocketAddress address = cli.awaitInetAddress();
            // four at once, four times: with workers:2 both workers accept some, so neither warms up during the measurement
            for (int round = 0; round < 4; round++) {
                try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    var echoes = java.util.stream.IntStream.range(0, 4).mapToObj(i -> clients.submit(() -> echo(address, tls, 256 * 1024))).toList();
                    var stalls = java.util.stream.IntStream.range(0, 2).mapToObj(i -> clients.submit(() -> stallBriefly(address, tls))).toList();
                    for (var echo : echoes) {
                        assertThat(echo.get()).isTrue();
                    }
                    for (var stall : stalls) {
                        stall.get();
                    }
                }
            }
            long before = ResidentMemory.of(cli.handle());
            Socket raw = new Socket();
            try (Socket greedy = Clients.connect(raw, address, tls); raw) {   // raw closes first: an SSLSocket's close waits for a blocked writer
                long sent = sendUntilStalled(greedy.getOutputStream(), STALL_NANOS);
                long grown = ResidentMemory.of(cli.handle()) - before;

                assertThat(sent).as("the client's sends stall long before 200 MiB").isLessThan(TRIED);
                assertThat(grown).as("%s, tls=%s: the server's resident memory grew by %d KiB after the client sent %d MiB", mode, tls, grown / 1024, sent >> 20)
                        .isLessThanOrEqualTo(BOUND);
                System.out.printf("never-reading client, %s, tls=%s: sent %d KiB, resident memory grew by %d KiB%n", mode, tls, sent >> 10, grown >> 10);
                assertThat(echo(address, tls, 1024)).as("another client is served meanwhile").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}, unix stream")
    @ValueSource(strings = {"threads", "virtual", "workers:2", "async"})
    void aUnixStreamClientThatNeverReadsCostsTheServerAFewMebibytes(String mode) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "never-reading");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        try (var cli = CliProcess.start("echo", "--listen", "unix:" + address.getPath(), "--concurrency", mode)) {
            cli.awaitListening();
            // four at once, four times: with workers:2 both workers accept some, so neither warms up during the measurement
            for (int round = 0; round < 4; round++) {
                try (var clients = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    var echoes = java.util.stream.IntStream.range(0, 4).mapToObj(i -> clients.submit(() -> unixEcho(address, 256 * 1024))).toList();
                    var stalls = java.util.stream.IntStream.range(0, 2).mapToObj(i -> clients.submit(() -> stallBriefly(address))).toList();
                    for (var echo : echoes) {
                        assertThat(echo.get()).isTrue();
                    }
                    for (var stall : stalls) {
                        stall.get();
                    }
                }
            }
            long before = ResidentMemory.of(cli.handle());
            try (SocketChannel greedy = SocketChannel.open(address)) {
                long sent = sendUntilStalled(Channels.newOutputStream(greedy), STALL_NANOS);
                long grown = ResidentMemory.of(cli.handle()) - before;

                assertThat(sent).as("the client's sends stall long before 200 MiB").isLessThan(TRIED);
                assertThat(grown).as("%s, unix stream: the server's resident memory grew by %d KiB after the client sent %d MiB", mode, grown / 1024, sent >> 20)
                        .isLessThanOrEqualTo(BOUND);
                System.out.printf("never-reading client, %s, unix stream: sent %d KiB, resident memory grew by %d KiB%n", mode, sent >> 10, grown >> 10);
                assertThat(unixEcho(address, 1024)).as("another client is served meanwhile").isTrue();
            }
        } finally {
            Files.deleteIfExists(address.getPath());
            Files.deleteIfExists(dir);
        }
    }

    private static boolean unixEcho(UnixDomainSocketAddress address, int length) throws Exception {
        byte[] data = new byte[length];
        java.util.Arrays.fill(data, (byte) 'u');
        try (SocketChannel client = SocketChannel.open(address)) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Channels.newOutputStream(client).write(data);
                } catch (IOException e) {
                    // seen as a short echo below
                }
            });
            return java.util.Arrays.equals(Channels.newInputStream(client).readNBytes(length), data);
        }
    }

    /**
     * A warm-up client that does not read, until the server stops reading it: the measured client
     * then takes paths both workers of {@code workers:2} have run before (the compilers' memory is
     * not what the test measures).
     */
    private static long stallBriefly(InetSocketAddress address, boolean tls) throws Exception {
        Socket raw = new Socket();
        try (Socket greedy = Clients.connect(raw, address, tls); raw) {
            return sendUntilStalled(greedy.getOutputStream(), WARM_UP_STALL_NANOS);
        }
    }

    /** {@link #stallBriefly(InetSocketAddress, boolean)} over a Unix stream. */
    private static long stallBriefly(UnixDomainSocketAddress address) throws Exception {
        try (SocketChannel greedy = SocketChannel.open(address)) {
            return sendUntilStalled(Channels.newOutputStream(greedy), WARM_UP_STALL_NANOS);
        }
    }

    /** Writes from a thread of its own until no write completes for {@code stallNanos}; returns what was written. */
    private static long sendUntilStalled(OutputStream out, long stallNanos) throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        Thread writer = Thread.ofPlatform().daemon().start(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (sent.get() < TRIED) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the socket closes under the writer at the end of the test
            }
        });
        long seen = -1;
        long since = System.nanoTime();
        while (writer.isAlive()) {
            long now = System.nanoTime();
            if (sent.get() != seen) {
                seen = sent.get();
                since = now;
            } else if (now - since > stallNanos) {
                break;   // no progress for the whole window: the server stopped reading
            }
            LockSupport.parkNanos(50_000_000);
        }
        return sent.get();
    }

    private static boolean echo(InetSocketAddress address, boolean tls, int length) throws Exception {
        byte[] data = new byte[length];
        java.util.Arrays.fill(data, (byte) 'x');
        Socket raw = new Socket();
        try (Socket client = Clients.connect(raw, address, tls); raw) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    client.getOutputStream().write(data);
                } catch (IOException e) {
                    // seen as a short echo below
                }
            });
            return java.util.Arrays.equals(client.getInputStream().readNBytes(length), data);
        }
    }
}
