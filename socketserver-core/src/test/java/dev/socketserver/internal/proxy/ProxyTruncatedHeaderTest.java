package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeaderParser.NeedMore;
import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Every proper prefix of a valid header: a stream that ends there is TRUNCATED, a buffer holding it
 * needs more (and says how much without overshooting), a datagram holding it is TRUNCATED.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyTruncatedHeaderTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void everyPrefixIsTruncatedFromAStreamAndIncompleteInABuffer(String name, byte[] header) throws Exception {
        for (int length = 0; length < header.length; length++) {
            byte[] prefix = Arrays.copyOf(header, length);

            var stream = new TestStreams.Recording(prefix);
            var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(stream));
            assertThat(e).as("prefix of %d bytes", length).isNotNull();
            assertThat(e.reason()).as("prefix of %d bytes: %s", length, e.getMessage()).isEqualTo(Reason.TRUNCATED);
            assertThat(stream.delivered()).isEqualTo(length);

            var result = parser.parse(prefix, 0, length);
            assertThat(result).as("prefix of %d bytes", length).isInstanceOf(NeedMore.class);
            int more = ((NeedMore) result).bytes();
            assertThat(more).isPositive();
            assertThat(length + more).as("asks for no byte past the header").isLessThanOrEqualTo(header.length);

            ByteBuffer datagram = ByteBuffer.wrap(prefix);
            var d = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parseDatagram(datagram));
            assertThat(d.reason()).isEqualTo(Reason.TRUNCATED);
            assertThat(datagram.position()).isZero();
        }
    }
}
