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
 * The drain item: on a drain, each connection ends at its first quiet point (everything the
 * server read has been answered, and the client has sent nothing more), in every family, so clients
 * that send requests one after another lose no reply, the drain ends as soon as they are all between
 * two requests, and at the deadline only truly busy connections are cut, and counted.
 */
@Timeout(60)
class DrainAtQuietPointsTest {
    private static final int MESSAGE = 16;
    private static final String HOLD = "HOLD-THIS-ONE..\n";

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "threads", "async"})
    void clientsInLockStepEndBetweenTwoRequestsWithEveryReplyWhole(String family) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
             var server = DrainTarget.start(family)) {   // closed first, so no client outlives a failed test
            List<Future<LockStep>> runs = new ArrayList<>();
            AtomicInteger exchanging = new AtomicInteger();
            for (int i = 0; i < 20; i++) {
                int id = i;
                runs.add(clients.submit(() -> LockStep.run(server.address(), id, exchanging)));
            }
            TestServers.await(DEADLINE, "every client has done a few exchanges", () -> exchanging.get() == 20);

            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.drain(Duration.ofSeconds(30)));
            assertThat(drained.get(DEADLINE.toSeconds(), TimeUnit.SECONDS))
                    .as("drained long before the 30 s deadline, every connection ended between two requests").isTrue();
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
    @ValueSource(strings = {"virtual", "async"})
    void aConnectionWithAnUnansweredRequestIsCutAtTheDeadlineAndCounted(String family) throws Exception {
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
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
            TestServers.await(DEADLINE, "the other clients exchange", () -> exchanging.get() == 3);

            assertThat(server.drain(Duration.ofMillis(500))).as("one connection was still busy").isFalse();
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
                    if (++outcome.exchanges == 5) {
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
            try {
                return server.shutdown(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
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
