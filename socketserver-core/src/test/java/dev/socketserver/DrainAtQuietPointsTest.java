package dev.socketserver;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * On a drain, connections end at quiet points (everything the server read has been answered, and
 * the client has sent nothing more), in every family: an idle client at once, clients that send
 * requests back to back between two of them in the drain's final window, with no reply lost; a
 * client still streaming is served to its end; only a truly busy connection is cut at the
 * deadline. Both are counted.
 */
@Timeout(60)
class DrainAtQuietPointsTest {
    private static final int MESSAGE = 16;
    /** Generous: on a loaded two-core machine twenty new connections can take seconds to get going. */
    private static final Duration WARM_UP = Duration.ofSeconds(20);
    /**
     * Clients on platform threads: on virtual threads they would share the JDK's scheduler with the
     * server's handlers, and on a saturated two-core machine that scheduler starved some
     * connections for over ten seconds while others ran (seen with a thread dump), which is the
     * scheduler's fairness and not what these tests are about.
     */
    private static final java.util.concurrent.ThreadFactory CLIENT_THREADS = Thread.ofPlatform().name("drain-test-client-", 0).factory();
    private static final String HOLD = "HOLD-THIS-ONE..\n";

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "threads", "async"})
    void clientsInLockStepEndBetweenTwoRequestsWithEveryReplyWhole(String family) throws Exception {
        try (ExecutorService clients = Executors.newThreadPerTaskExecutor(CLIENT_THREADS);
             var server = DrainTarget.start(family)) {   // closed first, so no client outlives a failed test
            List<Future<LockStep>> runs = new ArrayList<>();
            AtomicInteger exchanging = new AtomicInteger();
            for (int i = 0; i < 20; i++) {
                int id = i;
                runs.add(clients.submit(() -> LockStep.run(server.address(), id, exchanging)));
            }
            TestServers.await(WARM_UP, "every client has done a few exchanges", () -> exchanging.get() == 20);

            assertThat(server.drain(Duration.ofSeconds(2))).as("every connection ended between two requests, none was cut").isTrue();
            for (Future<LockStep> run : runs) {
                LockStep outcome = run.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertThat(outcome.partialReplies).as("client %d: replies cut short", outcome.id).isZero();
                assertThat(outcome.wrongReplies).as("client %d: replies that are not the request", outcome.id).isZero();
            }
            ServerStats stats = server.stats();
            assertThat(stats.drainQuietCloses()).isEqualTo(20);
            assertThat(stats.drainCuts()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "threads", "async"})
    void anIdleClientEndsLongBeforeTheDeadline(String family) throws Exception {
        try (var server = DrainTarget.start(family);
             Socket idle = new Socket()) {
            idle.connect(server.address(), 5_000);
            idle.setSoTimeout(10_000);
            byte[] request = "one request....\n".getBytes(StandardCharsets.US_ASCII);
            idle.getOutputStream().write(request);
            assertThat(idle.getInputStream().readNBytes(MESSAGE)).isEqualTo(request);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(60)));
            assertThat(idle.getInputStream().read()).as("closed, between two requests").isEqualTo(-1);
            assertThat(drained.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("drained long before the 60 s deadline").isTrue();
            assertThat(server.stats().drainQuietCloses()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void aClientStillStreamingIsServedToItsEnd(String family) throws Exception {
        byte[] payload = new byte[2 << 20];   // lines, which both servers echo as they are
        for (int line = 0; line < payload.length / MESSAGE; line++) {
            System.arraycopy(String.format("s%014d\n", line).getBytes(StandardCharsets.US_ASCII), 0, payload, line * MESSAGE, MESSAGE);
        }
        try (ExecutorService io = Executors.newThreadPerTaskExecutor(CLIENT_THREADS);
             var server = DrainTarget.start(family);
             Socket client = new Socket()) {
            client.connect(server.address(), 5_000);
            client.setSoTimeout(10_000);
            CountDownLatch aQuarterSent = new CountDownLatch(1);
            Future<?> sending = io.submit(() -> {
                OutputStream out = client.getOutputStream();
                for (int at = 0; at < payload.length; at += 4096) {
                    out.write(payload, at, 4096);
                    if (at == payload.length / 4) {
                        aQuarterSent.countDown();
                    }
                }
                client.shutdownOutput();
                return null;
            });
            Future<byte[]> echoed = io.submit(() -> client.getInputStream().readAllBytes());
            assertThat(aQuarterSent.await(WARM_UP.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // the kernel's buffers can take a quarter before the loop accepts: drain a connection being served
            TestServers.await(DEADLINE, "the server accepted the client", () -> server.stats().accepted() >= 1);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(60)));
            sending.get(WARM_UP.toSeconds(), TimeUnit.SECONDS);
            assertThat(Arrays.equals(echoed.get(WARM_UP.toSeconds(), TimeUnit.SECONDS), payload)).as("the whole echo").isTrue();
            assertThat(drained.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void aConnectionWithAnUnansweredRequestIsCutAtTheDeadlineAndCounted(String family) throws Exception {
        try (ExecutorService clients = Executors.newThreadPerTaskExecutor(CLIENT_THREADS);
             var server = DrainTarget.start(family);
             Socket holding = new Socket()) {
            holding.connect(server.address(), 5_000);
            holding.setSoTimeout(10_000);
            holding.getOutputStream().write(HOLD.getBytes(StandardCharsets.US_ASCII));
            TestServers.await(DEADLINE, "the request is held", server::holding);
            AtomicInteger exchanging = new AtomicInteger();
            List<Future<LockStep>> runs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int id = i;
                runs.add(clients.submit(() -> LockStep.run(server.address(), id, exchanging)));
            }
            TestServers.await(WARM_UP, "the other clients exchange", () -> exchanging.get() == 3);

            assertThat(server.drain(Duration.ofSeconds(1))).as("one connection was still busy").isFalse();
            for (Future<LockStep> run : runs) {
                assertThat(run.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).partialReplies).isZero();
            }
            assertThat(holding.getInputStream().read()).as("the held connection is closed without a reply").isEqualTo(-1);
            ServerStats stats = server.stats();
            assertThat(stats.drainQuietCloses()).isEqualTo(3);
            assertThat(stats.drainCuts()).isEqualTo(1);
        }
    }

    /** A client that sends a 16-byte request, reads its 16-byte reply, and again, until the server ends the connection. */
    private static final class LockStep {
        final int id;
        int exchanges;
        int partialReplies;
        int wrongReplies;

        private LockStep(int id) {
            this.id = id;
        }

        static LockStep run(SocketAddress server, int id, AtomicInteger exchanging) throws IOException {
            LockStep outcome = new LockStep(id);
            try (Socket socket = new Socket()) {
                socket.connect(server, 5_000);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                while (true) {
                    byte[] request = String.format("c%03d-%010d\n", id, outcome.exchanges).getBytes(StandardCharsets.US_ASCII);
                    byte[] reply;
                    try {
                        out.write(request);
                        reply = in.readNBytes(MESSAGE);
                    } catch (IOException reset) {
                        return outcome;   // the server closed between two requests: this one was never read
                    }
                    if (reply.length == 0) {
                        return outcome;
                    }
                    if (reply.length < MESSAGE) {
                        outcome.partialReplies++;
                        return outcome;
                    }
                    if (!Arrays.equals(reply, request)) {
                        outcome.wrongReplies++;
                    }
                    if (++outcome.exchanges == 3) {
                        exchanging.incrementAndGet();
                    }
                }
            }
        }
    }

    /** A line echo of either family whose handler keeps a {@link #HOLD} request unanswered. */
    private interface DrainTarget extends AutoCloseable {
        InetSocketAddress address();

        boolean drain(Duration deadline);

        ServerStats stats();

        boolean holding();

        @Override
        void close();

        static DrainTarget start(String family) throws IOException {
            return family.equals("async") ? new Async() : new Blocking(family.equals("threads") ? Concurrency.threads() : Concurrency.virtualThreads());
        }
    }

    private static final class Blocking implements DrainTarget {
        private final TcpServer server;
        private final TestServers.Serving<TcpServer> serving;
        private final CountDownLatch held = new CountDownLatch(1);

        Blocking(Concurrency model) throws IOException {
            server = new TcpServer(TestServers.loopback(), conn -> {
                for (String line = conn.readLine(); line != null; line = conn.readLine()) {
                    if ((line + "\n").equals(HOLD)) {
                        held.countDown();
                        new CountDownLatch(1).await();   // until the drain's deadline interrupts it
                    }
                    conn.out().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                }
            }, model);
            serving = TestServers.serve(server);
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) server.serverAddress();
        }

        @Override
        public boolean drain(Duration deadline) {
            return server.shutdown(deadline);
        }

        @Override
        public ServerStats stats() {
            return server.stats();
        }

        @Override
        public boolean holding() {
            return held.getCount() == 0;
        }

        @Override
        public void close() {
            serving.close();
        }
    }

    private static final class Async implements DrainTarget {
        private final AsyncServer server;
        private volatile boolean held;

        Async() throws IOException {
            server = AsyncServer.tcp(TestServers.loopback(), () -> new Protocol() {
                Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    if (StandardCharsets.US_ASCII.decode(data.duplicate()).toString().equals(HOLD)) {
                        held = true;
                        return;
                    }
                    transport.write(data);
                }
            });
            server.start();
        }

        @Override
        public InetSocketAddress address() {
            return (InetSocketAddress) server.serverAddress();
        }

        @Override
        public boolean drain(Duration deadline) {
            return server.shutdown(deadline);
        }

        @Override
        public ServerStats stats() {
            return server.stats();
        }

        @Override
        public boolean holding() {
            return held;
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
