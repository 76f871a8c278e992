package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** A listener can accept only v1 or only v2, and cap v2's length; bad settings are refused with a message. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyParserOptionsTest {
    private static final byte[] V1 = ascii("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n");
    private static final byte[] V2 = V2HeaderBuilder.proxy().tcp4("192.0.2.1", 1, "192.0.2.2", 2).build();

    @Test
    void theDefaultAcceptsBothVersionsUpToTheSpecsMaximum() throws Exception {
        var parser = ProxyHeaderParser.create();

        assertThat(parser.acceptsV1()).isTrue();
        assertThat(parser.acceptsV2()).isTrue();
        assertThat(parser.maxHeaderLength()).isEqualTo(65_551);
        assertThat(parser.read(new TestStreams.Bounded(V1)).version()).isEqualTo(1);
        assertThat(parser.read(new TestStreams.Bounded(V2)).version()).isEqualTo(2);
    }

    @Test
    void aV2OnlyParserRefusesV1AfterItsSignature() {
        var parser = ProxyHeaderParser.create().withVersions(false, true);
        var in = new TestStreams.Bounded(ascii("PROXY "));

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(in));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("only v2");
    }

    @Test
    void aV1OnlyParserRefusesV2AfterItsVersionByte() {
        var parser = ProxyHeaderParser.create().withVersions(true, false);
        byte[] prefix = java.util.Arrays.copyOf(V2, 13);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(new TestStreams.Bounded(prefix)));

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("only v1");
    }

    @Test
    void aDisabledVersionDoesNotHideANonProxyPeer() {
        var parser = ProxyHeaderParser.create().withVersions(false, true);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parse(ascii("POST /"), 0, 6));

        assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void optionsAreKeptWhenCombinedAndTheOriginalIsUnchanged() {
        var original = ProxyHeaderParser.create();
        var parser = original.withMaxHeaderLength(4096).withVersions(false, true);

        assertThat(parser.maxHeaderLength()).isEqualTo(4096);
        assertThat(parser.acceptsV1()).isFalse();
        assertThat(original.maxHeaderLength()).isEqualTo(ProxyHeaderParser.V2_MAX_LENGTH);
        assertThat(original.acceptsV1()).isTrue();
        assertThat(parser).hasToString("ProxyHeaderParser[v1=false, v2=true, maxHeaderLength=4096]");
    }

    @Test
    void badSettingsAreRefusedWithWhatToFix() {
        var parser = ProxyHeaderParser.create();

        assertThatThrownBy(() -> parser.withVersions(false, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
        assertThatThrownBy(() -> parser.withMaxHeaderLength(231)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("232").hasMessageContaining("65551");
        assertThatThrownBy(() -> parser.withMaxHeaderLength(65_552)).isInstanceOf(IllegalArgumentException.class);
        assertThat(parser.withMaxHeaderLength(232).maxHeaderLength()).isEqualTo(232);
    }

    @Test
    void anEmptyInputNeedsOneByte() throws Exception {
        var parser = ProxyHeaderParser.create();

        assertThat(parser.parse(new byte[0], 0, 0)).isEqualTo(new ProxyHeaderParser.NeedMore(1));
        assertThat(parser.parse(ByteBuffer.allocate(0))).isEqualTo(new ProxyHeaderParser.NeedMore(1));
    }

    @Test
    void anArrayRangeOutsideTheArrayIsAProgrammingError() {
        assertThatThrownBy(() -> ProxyHeaderParser.create().parse(new byte[4], 2, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theBuffersByteOrderDoesNotMatter() throws Exception {
        var buffer = ByteBuffer.wrap(V2HeaderBuilder.proxy().tcp4("192.0.2.1", 258, "192.0.2.2", 2).build())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);

        var header = ProxyHeaderParser.create().parseDatagram(buffer);

        assertThat(((java.net.InetSocketAddress) header.source()).getPort()).isEqualTo(258);
    }
}
