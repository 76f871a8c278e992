package dev.socketserver;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood of datagrams to handlers that do not finish costs a bounded number of threads: with the
 * default options, a datagram server in a model with a thread per request runs at most
 * {@link DatagramServer#DEFAULT_MAX_IN_FLIGHT} handlers at once, further datagrams wait in the
 * socket's receive buffer, and serving resumes when handlers finish.
 */
@Timeout(60)
class DatagramFloodTest {
    private static final int SENT = 3_000;

    static Stream<ThreadModel> unboundedModels() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads());
    }

    @ParameterizedTest
    @MethodSource("unboundedModels")
    void atMostTheDefaultNumberOfDatagramsAreHandledAtOnce(ThreadModel model) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        try (var server = new UdpServer(TestServers.loopback(), datagram -> {
            release.await();
            handled.incrementAndGet();
        }, model); DatagramChannel client = DatagramChannel.open()) {
            assertThat(server.maxConnections()).isEqualTo(DatagramServer.DEFAULT_MAX_IN_FLIGHT);
            server.start();
            try {
                client.connect(server.serverAddress());
                long deadline = System.nanoTime() + TestServers.DEADLINE.toNanos() * 4;
                int sent = 0;
                while (server.activeRequests() < DatagramServer.DEFAULT_MAX_IN_FLIGHT && System.nanoTime() < deadline) {
                    client.write(ByteBuffer.wrap(new byte[16]));   // the kernel drops what the server has no room for yet
                    if (++sent % 64 == 0) {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
                assertThat(server.activeRequests()).as("handlers running after %d datagrams", sent)
                        .isEqualTo(DatagramServer.DEFAULT_MAX_IN_FLIGHT);
                for (int i = 0; i < 1_000; i++) {
                    client.write(ByteBuffer.wrap(new byte[16]));   // these wait in the receive buffer, or are dropped
                }
                long until = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < until) {
                    assertThat(server.activeRequests()).isLessThanOrEqualTo(DatagramServer.DEFAULT_MAX_IN_FLIGHT);
                    LockSupport.parkNanos(10_000_000);
                }
            } finally {
                release.countDown();
            }
            TestServers.await(TestServers.DEADLINE, "the handlers finish and the waiting datagrams are served",
                    () -> server.activeRequests() == 0 && handled.get() > DatagramServer.DEFAULT_MAX_IN_FLIGHT);
        }
    }
}
