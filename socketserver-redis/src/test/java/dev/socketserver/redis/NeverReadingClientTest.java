package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that pipelines GETs of a large value and never reads the replies: the server stops
 * running its requests once the replies back up (the event loop above its water mark, a blocking
 * handler in its write), so it makes a bounded amount of replies, not 1.3 GB, and serves others meanwhile.
 */
@Timeout(60)
class NeverReadingClientTest {
    private static final int VALUE = 64 * 1024;
    private static final int GETS = 20_000;

    @ParameterizedTest
    @EnumSource(Family.class)
    void pipelinedGetsThatAreNeverReadCostABoundedAmount(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            jedis.set("big".getBytes(StandardCharsets.US_ASCII), new byte[VALUE]);
            long allocatedBefore = Allocation.totalBytes();
            try (var greedy = new Socket("127.0.0.1", redis.port())) {
                byte[] requests = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(GETS).getBytes(StandardCharsets.US_ASCII);
                Thread.ofVirtual().start(() -> {
                    try {
                        greedy.getOutputStream().write(requests);
                    } catch (Exception closedAtTheEnd) {
                        // the socket closes when the test ends, with the write perhaps still held up
                    }
                });
                // the replies the server could make: 1.3 GB; wait until it has stopped sending them
                long sent = awaitSteadyBytesOut(redis);
                assertThat(jedis.ping()).as("another client is served meanwhile").isEqualTo("PONG");
                assertThat(redis.server().stats().writeBufferLimitCloses()).as("held back, not cut off at the write-buffer limit").isZero();
                assertThat(sent).as("bytes sent: what the sockets' buffers hold").isLessThan(64L << 20);
                assertThat(Allocation.totalBytes() - allocatedBefore).as("bytes allocated meanwhile").isLessThan(128L << 20);
            }
        }
    }

    /** Polls the server's bytes out until they stay put for half a second; returns them. */
    private static long awaitSteadyBytesOut(RedisServer redis) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long last = -1;
        long steadySince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = redis.server().stats().bytesOut();
            if (now != last) {
                last = now;
                steadySince = System.nanoTime();
            } else if (System.nanoTime() - steadySince > Duration.ofMillis(500).toNanos() && now > VALUE) {
                return now;
            }
            Thread.sleep(20);   // the pause between polls; the deadline above bounds the wait
        }
        throw new AssertionError("the server kept sending replies nobody reads for 30 s: " + last + " bytes");
    }
}
