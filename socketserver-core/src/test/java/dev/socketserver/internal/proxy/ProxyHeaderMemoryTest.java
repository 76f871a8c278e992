package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Arrays;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * What the stream reader holds grows with what the peer sent, not with what it declared: a v2 header
 * that declares 65,535 bytes and sends few of them costs little (go-proxyproto CVE-2021-23351 class).
 * Measured with the JDK's per-thread allocation counter, against a truncated v1 line as the baseline,
 * so the cost of the exception itself cancels out.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyHeaderMemoryTest {
    private static final byte[] BASELINE = ascii("PROXY TCP4 ");
    private static final long SLACK = 8_192;

    private final ProxyHeaderParser parser = ProxyHeaderParser.create();
    private Method allocatedBytes;

    @BeforeEach
    void findTheAllocationCounter() throws Exception {
        var bean = ManagementFactory.getThreadMXBean();
        Class<?> extended = Class.forName("com.sun.management.ThreadMXBean");
        assumeThat(extended.isInstance(bean)).as("a JDK that counts allocation per thread").isTrue();
        allocatedBytes = extended.getMethod("getCurrentThreadAllocatedBytes");
    }

    private long allocatedByThisThread() throws Exception {
        return (long) allocatedBytes.invoke(ManagementFactory.getThreadMXBean());
    }

    /** The least that refusing {@code bytes} as TRUNCATED allocated, over a few rounds (the first ones load classes). */
    private long allocatedWhileRefusing(byte[] bytes) throws Exception {
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            var in = new TestStreams.Recording(bytes);
            Reason reason = null;
            long before = allocatedByThisThread();
            try {
                parser.read(in);
            } catch (ProxyProtocolException e) {
                reason = e.reason();
            }
            long after = allocatedByThisThread();
            assertThat(reason).isEqualTo(Reason.TRUNCATED);
            least = Math.min(least, after - before);
        }
        return least;
    }

    @Test
    void aHeaderDeclaring65535BytesAndSendingNoneAllocatesLittle() throws Exception {
        byte[] fixedPart = Arrays.copyOf(V2HeaderBuilder.proxy().tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .declaredLength(0xFFFF).build(), 16);
        long baseline = allocatedWhileRefusing(BASELINE);

        long allocated = allocatedWhileRefusing(fixedPart);

        assertThat(allocated - baseline).as("bytes allocated beyond the baseline of %d", baseline).isLessThan(SLACK);
    }

    @Test
    void aHeaderSendingPartOfItsDeclaredLengthAllocatesInProportionToWhatArrived() throws Exception {
        byte[] whole = V2HeaderBuilder.proxy().tcp4("192.0.2.1", 1, "192.0.2.2", 2).tlv(ProxyTlv.NOOP, new byte[60_000]).build();
        byte[] firstThousand = Arrays.copyOf(whole, 1_000);
        long baseline = allocatedWhileRefusing(BASELINE);

        long allocated = allocatedWhileRefusing(firstThousand);

        assertThat(allocated - baseline).as("bytes allocated beyond the baseline of %d", baseline).isLessThan(SLACK);
    }

    @Test
    void theMeasurementSeesAnEagerAllocation() throws Exception {
        // The yardstick itself: holding the declared 60,000 bytes would be caught.
        long before = allocatedByThisThread();
        byte[] eager = new byte[60_000];
        long after = allocatedByThisThread();

        assertThat(after - before).isGreaterThanOrEqualTo(eager.length);
    }
}
