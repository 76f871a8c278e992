package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyProtocolException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The TLVs after a v2 address block: the typed ones, CRC32C verification, and every way a TLV can be broken. */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyV2TlvTest {
    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    private static V2HeaderBuilder tcp4() {
        return V2HeaderBuilder.proxy().tcp4("192.0.2.10", 40000, "192.0.2.1", 443);
    }

    private ProxyHeader parse(byte[] bytes) throws Exception {
        var in = new TestStreams.Bounded(bytes);
        ProxyHeader header = parser.read(in);
        assertThat(in.position()).isEqualTo(bytes.length);
        return header;
    }

    private Reason refusal(byte[] bytes) {
        var e = catchThrowableOfType(ProxyProtocolException.class, () -> parser.read(new TestStreams.Bounded(bytes)));
        assertThat(e).isNotNull();
        var fromBuffer = catchThrowableOfType(ProxyProtocolException.class, () -> parser.parse(bytes, 0, bytes.length));
        assertThat(fromBuffer.reason()).isEqualTo(e.reason());
        return e.reason();
    }

    @Test
    void alpnAuthorityAndUniqueIdAreExposedAsBytes() throws Exception {
        byte[] id = new byte[ProxyTlv.UNIQUE_ID_MAX_LENGTH];
        id[0] = 42;

        ProxyHeader header = parse(tcp4().tlv(ProxyTlv.ALPN, "h2").tlv(ProxyTlv.AUTHORITY, "example.com")
                .tlv(ProxyTlv.UNIQUE_ID, id).build());

        assertThat(header.alpn()).hasValueSatisfying(v -> assertThat(v).isEqualTo("h2".getBytes(StandardCharsets.US_ASCII)));
        assertThat(header.authority()).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("example.com"));
        assertThat(header.uniqueId()).hasValueSatisfying(v -> assertThat(v).isEqualTo(id));
        assertThat(header.tlvs()).extracting(ProxyTlv::type).containsExactly(ProxyTlv.ALPN, ProxyTlv.AUTHORITY, ProxyTlv.UNIQUE_ID);
        assertThat(header.ssl()).isEmpty();
    }

    @Test
    void tlvValuesCannotBeChangedThroughTheirAccessors() throws Exception {
        ProxyHeader header = parse(tcp4().tlv(ProxyTlv.ALPN, "h2").build());

        header.alpn().orElseThrow()[0] = 'X';
        header.tlvs().getFirst().value()[0] = 'X';

        assertThat(header.alpn().orElseThrow()).isEqualTo("h2".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void decodingTextIsStrict() throws Exception {
        ProxyHeader header = parse(tcp4().tlv(ProxyTlv.AUTHORITY, new byte[] {'a', (byte) 0xC3, 'b'})
                .tlv(ProxyTlv.ALPN, "h2").build());

        assertThatThrownBy(() -> header.tlv(ProxyTlv.AUTHORITY).orElseThrow().valueAsUtf8())
                .isInstanceOf(CharacterCodingException.class);
        assertThat(header.tlv(ProxyTlv.ALPN).orElseThrow().valueAsUtf8()).isEqualTo("h2");
    }

    @Test
    void aUniqueIdOver128BytesIsRefused() {
        assertThat(refusal(tcp4().tlv(ProxyTlv.UNIQUE_ID, new byte[129]).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void sslTlvIsDecodedWithItsSubTlvs() throws Exception {
        byte[] ssl = V2HeaderBuilder.sslValue(ProxySslInfo.CLIENT_SSL | ProxySslInfo.CLIENT_CERT_CONN, 0,
                ProxyTlv.SSL_VERSION, "TLSv1.3", ProxyTlv.SSL_CN, "client.example", ProxyTlv.SSL_CIPHER, "TLS_AES_128_GCM_SHA256",
                ProxyTlv.SSL_SIG_ALG, "RSA-SHA256", ProxyTlv.SSL_KEY_ALG, "RSA2048");

        ProxySslInfo info = parse(tcp4().tlv(ProxyTlv.SSL, ssl).build()).ssl().orElseThrow();

        assertThat(info.clientSsl()).isTrue();
        assertThat(info.clientCertConnection()).isTrue();
        assertThat(info.clientCertSession()).isFalse();
        assertThat(info.verify()).isZero();
        assertThat(info.certificateVerified()).isTrue();
        assertThat(info.version()).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.US_ASCII)).isEqualTo("TLSv1.3"));
        assertThat(info.commonName()).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("client.example"));
        assertThat(info.cipher()).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.US_ASCII)).isEqualTo("TLS_AES_128_GCM_SHA256"));
        assertThat(info.signatureAlgorithm()).isPresent();
        assertThat(info.keyAlgorithm()).isPresent();
    }

    @Test
    void sslTlvWithoutACertificateIsNotVerifiedEvenWithZeroVerify() throws Exception {
        ProxySslInfo info = parse(tcp4().tlv(ProxyTlv.SSL, V2HeaderBuilder.sslValue(ProxySslInfo.CLIENT_SSL, 0)).build())
                .ssl().orElseThrow();

        assertThat(info.clientSsl()).isTrue();
        assertThat(info.certificateVerified()).isFalse();
        assertThat(info.subTlvs()).isEmpty();
    }

    @Test
    void sslVerifyIsAnUnsigned32BitNumber() throws Exception {
        ProxySslInfo info = parse(tcp4().tlv(ProxyTlv.SSL,
                V2HeaderBuilder.sslValue(ProxySslInfo.CLIENT_CERT_SESS, 0xFFFF_FFFE)).build()).ssl().orElseThrow();

        assertThat(info.verify()).isEqualTo(0xFFFF_FFFEL);
        assertThat(info.certificateVerified()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4})
    void anSslTlvShorterThanItsFixedFieldsIsRefused(int length) {
        assertThat(refusal(tcp4().tlv(ProxyTlv.SSL, new byte[length]).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void anSslSubTlvThatRunsPastTheSslTlvIsRefused() {
        byte[] ssl = V2HeaderBuilder.sslValue(1, 0, ProxyTlv.SSL_VERSION, "TLSv1.3");
        ssl[7] += 1;

        assertThat(refusal(tcp4().tlv(ProxyTlv.SSL, ssl).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void anSslTlvEndingInsideASubTlvHeaderIsRefused() {
        byte[] ssl = TestStreams.concat(V2HeaderBuilder.sslValue(1, 0), new byte[] {ProxyTlv.SSL_CN, 0});

        assertThat(refusal(tcp4().tlv(ProxyTlv.SSL, ssl).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void aRepeatedSslSubTlvIsRefused() {
        byte[] ssl = V2HeaderBuilder.sslValue(1, 0, ProxyTlv.SSL_CN, "a", ProxyTlv.SSL_CN, "b");

        assertThat(refusal(tcp4().tlv(ProxyTlv.SSL, ssl).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void deeplyNestedSslTlvsAreKeptRawWithoutRecursion() throws Exception {
        // 10,000 SSL TLVs each inside the previous one's sub-TLVs: Netty CVE-2022-41881 overflowed the stack here.
        byte[] inner = V2HeaderBuilder.sslValue(1, 0);
        for (int depth = 0; depth < 10_000 && inner.length + 8 <= 60_000; depth++) {
            inner = V2HeaderBuilder.sslValue(1, 0, ProxyTlv.SSL, inner);
        }

        ProxySslInfo info = parse(tcp4().tlv(ProxyTlv.SSL, inner).build()).ssl().orElseThrow();

        assertThat(info.subTlvs()).singleElement().satisfies(sub -> assertThat(sub.type()).isEqualTo(ProxyTlv.SSL));
    }

    @Test
    void crc32cThatMatchesIsAccepted() throws Exception {
        ProxyHeader header = parse(tcp4().tlv(ProxyTlv.AUTHORITY, "example.com").crc32c().build());

        assertThat(header.tlv(ProxyTlv.CRC32C)).hasValueSatisfying(tlv -> assertThat(tlv.length()).isEqualTo(4));
    }

    @Test
    void crc32cThatDoesNotMatchIsRefused() {
        assertThat(refusal(tcp4().tlv(ProxyTlv.AUTHORITY, "example.com").wrongCrc32c().build())).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void crc32cDetectsAChangedAddressByte() {
        byte[] bytes = tcp4().crc32c().build();
        bytes[16] ^= 1;

        assertThat(refusal(bytes)).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @Test
    void crc32cCoversTheBytesAfterItsOwnFieldToo() throws Exception {
        // The CRC32C TLV first, then ALPN: the checksum is over the whole header with its own 4 bytes zeroed.
        byte[] bytes = tcp4().tlv(ProxyTlv.CRC32C, new byte[4]).tlv(ProxyTlv.ALPN, "h2").build();
        int field = 16 + 12 + 3;
        var crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        ByteBuffer.wrap(bytes).putInt(field, (int) crc.getValue());

        assertThat(parse(bytes).alpn()).isPresent();

        bytes[bytes.length - 1] ^= 1;
        assertThat(refusal(bytes)).isEqualTo(Reason.BAD_CHECKSUM);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5})
    void aCrc32cTlvOfTheWrongSizeIsRefused(int length) {
        assertThat(refusal(tcp4().tlv(ProxyTlv.CRC32C, new byte[length]).build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void twoCrc32cTlvsAreRefused() {
        assertThat(refusal(tcp4().tlv(ProxyTlv.CRC32C, new byte[4]).crc32c().build())).isEqualTo(Reason.BAD_TLV);
    }

    @ParameterizedTest
    @ValueSource(ints = {ProxyTlv.ALPN, ProxyTlv.AUTHORITY, ProxyTlv.UNIQUE_ID})
    void aRepeatedSingleTlvIsRefusedRatherThanGuessingWhichCounts(int type) {
        assertThat(refusal(tcp4().tlv(type, "a").tlv(type, "b").build())).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void repeatedNoopAndCustomTlvsAreKeptInOrder() throws Exception {
        ProxyHeader header = parse(tcp4().tlv(ProxyTlv.NOOP, new byte[0]).tlv(0xE0, "one").tlv(ProxyTlv.NOOP, new byte[2])
                .tlv(0xE0, "two").tlv(ProxyTlv.NETNS, "blue").build());

        assertThat(header.tlvs()).extracting(ProxyTlv::type)
                .containsExactly(ProxyTlv.NOOP, 0xE0, ProxyTlv.NOOP, 0xE0, ProxyTlv.NETNS);
        assertThat(header.tlv(0xE0).orElseThrow().valueAsUtf8()).isEqualTo("one");
    }

    @Test
    void aTlvThatRunsPastTheHeaderIsRefused() {
        byte[] bytes = tcp4().raw(new byte[] {ProxyTlv.ALPN, 0, 5, 'h', '2'}).build();

        assertThat(refusal(bytes)).isEqualTo(Reason.BAD_TLV);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aTlvStartingInTheLastOneOrTwoBytesIsRefused(int leftover) {
        byte[] bytes = tcp4().tlv(ProxyTlv.ALPN, "h2").raw(new byte[leftover]).build();

        assertThat(refusal(bytes)).isEqualTo(Reason.BAD_TLV);
    }

    @Test
    void tlvsWorkAfterIpv6AndUnixAddressBlocks() throws Exception {
        assertThat(parse(V2HeaderBuilder.proxy().tcp6("::1", 1, "::2", 2).tlv(ProxyTlv.ALPN, "h2").crc32c().build()).alpn())
                .isPresent();
        assertThat(parse(V2HeaderBuilder.proxy().unixStream(new byte[108], new byte[108]).tlv(ProxyTlv.ALPN, "h2").build()).alpn())
                .isPresent();
    }

    @Test
    void aHandBuiltHeaderWithABrokenSslTlvFailsLoudlyWhenDecoded() {
        var header = new ProxyHeader(2, ProxyHeader.Command.PROXY, ProxyHeader.Family.UNSPEC, ProxyHeader.Transport.UNSPEC,
                null, null, java.util.List.of(new ProxyTlv(ProxyTlv.SSL, new byte[2])));

        assertThatThrownBy(header::ssl).isInstanceOf(IllegalStateException.class).hasMessageContaining("SSL");
    }

    @Test
    void tlvToStringShowsHexNotRawBytes() {
        assertThat(new ProxyTlv(ProxyTlv.ALPN, new byte[] {'h', '2', '\n'})).hasToString("ProxyTlv[0x01, 68320a]");
        assertThat(new ProxyTlv(0xE0, new byte[100]).toString()).endsWith("... (100 bytes)]");
    }
}
