package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Malformed v2 fixed parts are refused with the right reason as soon as the offending byte arrives,
 * without asking for the rest of the header.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyV2MalformedTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    /** Refuses {@code prefix} from a stream that holds only {@code prefix}, and from a buffer. */
    private ProxyProtocolException refused(byte[] prefix) {
        var in = new TestStreams.Bounded(prefix);
        var fromStream = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(in));
        var fromBuffer = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parse(prefix, 0, prefix.length));
        assertThat(fromStream).as("from a stream").isNotNull();
        assertThat(fromBuffer).as("from a buffer").isNotNull();
        assertThat(fromBuffer.reason()).isEqualTo(fromStream.reason());
        assertThat(in.position()).isEqualTo(prefix.length);
        return fromStream;
    }

    private static byte[] fixedPart(int versionCommand, int familyTransport, int length) {
        return Arrays.copyOf(V2HeaderBuilder.proxy().versionCommand(versionCommand).familyTransport(familyTransport)
                .declaredLength(length).build(), 16);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 11})
    void aSignatureThatGoesAstrayIsABadSignature(int wrongAt) {
        byte[] prefix = Arrays.copyOf(V2HeaderBuilder.SIGNATURE, wrongAt + 1);
        prefix[wrongAt] ^= 0x40;

        assertThat(refused(prefix).reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x11, 0x31, 0xF1})
    void aVersionOtherThanTwoIsUnsupported(int versionCommand) {
        byte[] prefix = Arrays.copyOf(fixedPart(versionCommand, 0x11, 12), 13);

        var e = refused(prefix);

        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_VERSION);
        assertThat(e.getMessage()).contains("version " + (versionCommand >> 4));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x22, 0x2F})
    void aCommandOtherThanLocalOrProxyIsRefused(int versionCommand) {
        assertThat(refused(Arrays.copyOf(fixedPart(versionCommand, 0x11, 12), 13)).reason()).isEqualTo(Reason.BAD_COMMAND);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x41, 0xF1, 0x13, 0x1F})
    void anUndefinedFamilyOrTransportIsRefused(int familyTransport) {
        assertThat(refused(Arrays.copyOf(fixedPart(0x21, familyTransport, 12), 14)).reason()).isEqualTo(Reason.BAD_FAMILY);
    }

    @Test
    void anUndefinedFamilyIsRefusedForLocalToo() {
        assertThat(refused(Arrays.copyOf(fixedPart(0x20, 0x41, 0), 14)).reason()).isEqualTo(Reason.BAD_FAMILY);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x11, 0x12, 0x21, 0x22, 0x31, 0x32})
    void aLengthTooShortForTheFamilysAddressesIsRefusedBeforeReadingThem(int familyTransport) {
        int needed = switch (familyTransport >> 4) {
            case 1 -> 12;
            case 2 -> 36;
            default -> 216;
        };

        var e = refused(fixedPart(0x21, familyTransport, needed - 1));

        assertThat(e.reason()).isEqualTo(Reason.MALFORMED_ADDRESS);
        assertThat(e.getMessage()).contains(needed + "-byte address block");
    }

    @Test
    void aLengthOverTheConfiguredLimitIsRefusedAfterTheFixedPart() {
        var limited = parser.withMaxHeaderLength(4096);
        byte[] prefix = fixedPart(0x21, 0x11, 4096 - 16 + 1);
        var in = new TestStreams.Bounded(prefix);

        var e = catchThrowableOfType(ProxyProtocolException.class, () -> limited.read(in));

        assertThat(e.reason()).isEqualTo(Reason.TOO_LONG);
        assertThat(e.getMessage()).contains("4097", "4096");
        assertThat(in.position()).isEqualTo(16);
    }

    @Test
    void aLengthAtTheConfiguredLimitIsAccepted() throws Exception {
        var limited = parser.withMaxHeaderLength(4096);
        byte[] bytes = V2HeaderBuilder.proxy().tcp4("192.0.2.1", 1, "192.0.2.2", 2)
                .tlv(ProxyTlv.NOOP, new byte[4096 - 16 - 12 - 3]).build();
        assertThat(bytes).hasSize(4096);

        assertThat(limited.read(new TestStreams.Bounded(bytes)).hasAddresses()).isTrue();
    }
}
