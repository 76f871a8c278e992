package dev.socketserver.async;

import dev.socketserver.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.async.AsyncServerTest.tcpRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event loop's accept backoff where it is stricter than the blocking servers: it starts over
 * after every successful accept, even when the next accept of the same wakeup fails. (A blocking
 * server's wakeup that accepted some clients and then failed still counts as a failed wakeup, so
 * its backoff keeps growing.) The backoff both families share is the contract suite's
 * ({@code contract.AcceptBackoffContractTest}).
 */
@Timeout(30)
class AsyncAcceptBackoffTest {

    @Test
    void theBackoffStartsOverAfterASuccessfulAcceptEvenIfTheNextOneInTheSameWakeupFails() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        try (var capture = new LogCapture();
             var server = AsyncServer.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), AsyncServerTest.Echo::new)) {
            server.acceptWith(listener -> {
                if (calls.incrementAndGet() % 2 == 1) {   // every other accept fails, the one after a success too
                    failures.incrementAndGet();
                    throw new IOException("Too many open files");
                }
                return listener.accept();
            });
            server.start();
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                assertThat(tcpRoundTrip(server.serverAddress(), "ping " + i)).isEqualTo("ping " + i);
            }
            // each client waits one short backoff (5 ms); a backoff that kept growing would make
            // these twelve wait 5 + 10 + ... + 640 + 4 x 1000 ms, over 5 s
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(failures.get()).isGreaterThanOrEqualTo(12);
        }
    }
}
