package dev.socketserver.bench.jmh;

import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyHeaderParser;
import dev.socketserver.internal.proxy.ProxyTlv;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Parsing one PROXY protocol header, v1 (text) or v2 (binary), with the parser the stream servers
 * use ({@code dev.socketserver.internal.proxy.ProxyHeaderParser}; the bench module is on the class
 * path, so the internal package is reachable without exporting it).
 *
 * <ul>
 * <li>{@link #parse}: from bytes already received, as an event loop would ({@code parse(byte[], int, int)}).</li>
 * <li>{@link #read}: from a stream, as a server's request thread does before its handler runs
 *     ({@code read(InputStream)}: v1 one byte per call up to its CRLF, v2 its fixed part then
 *     exactly the length it declares). The stream is a {@link ByteArrayInputStream} over the
 *     header's bytes, rewound each time: no socket, and none of the per-call deadline bookkeeping
 *     a server's stream adds, so this is the parser's side of the calls only.</li>
 * </ul>
 *
 * The headers: v1 {@code TCP4} and {@code TCP6} lines; v2 {@code PROXY} over TCP/IPv4 and TCP/IPv6
 * without TLVs, and over TCP/IPv4 with the TLVs a TLS-terminating proxy sends (ALPN, authority,
 * unique id, SSL with version and CN) and a CRC32C checksum.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ProxyHeaderBenchmark {
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @Param({"v1-tcp4", "v1-tcp6", "v2-tcp4", "v2-tcp6", "v2-tcp4-tlvs"})
    public String header;

    private final ProxyHeaderParser parser = ProxyHeaderParser.create();
    private byte[] bytes;
    private ByteArrayInputStream stream;

    @Setup
    public void build() throws IOException {
        bytes = headerBytes(header);
        // a benchmark of a parser that refuses its input would measure the exception path
        if (!(parser.parse(bytes, 0, bytes.length) instanceof ProxyHeaderParser.Complete complete)
                || complete.consumed() != bytes.length) {
            throw new IllegalStateException(header + " does not parse as one whole header");
        }
        stream = new ByteArrayInputStream(bytes);
    }

    @Benchmark
    public ProxyHeaderParser.Result parse() throws IOException {
        return parser.parse(bytes, 0, bytes.length);
    }

    @Benchmark
    public ProxyHeader read() throws IOException {
        stream.reset();   // back to the start (the mark is at 0)
        return parser.read(stream);
    }

    /** The bytes of one of the {@link #header} shapes. */
    static byte[] headerBytes(String shape) throws IOException {
        return switch (shape) {
            case "v1-tcp4" -> "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n".getBytes(StandardCharsets.US_ASCII);
            case "v1-tcp6" -> "PROXY TCP6 2001:db8::1 2001:db8::11 56324 443\r\n".getBytes(StandardCharsets.US_ASCII);
            case "v2-tcp4" -> v2(0x11, inet("192.168.0.1", "192.168.0.11"), new byte[0], false);
            case "v2-tcp6" -> v2(0x21, inet("2001:db8::1", "2001:db8::11"), new byte[0], false);
            case "v2-tcp4-tlvs" -> {
                var ssl = new ByteArrayOutputStream();
                ssl.write(0x01);                     // client: connected over TLS
                ssl.writeBytes(new byte[4]);         // verify: 0, the certificate checked out
                tlv(ssl, ProxyTlv.SSL_VERSION, "TLSv1.3".getBytes(StandardCharsets.US_ASCII));
                tlv(ssl, ProxyTlv.SSL_CN, "client.example.com".getBytes(StandardCharsets.US_ASCII));
                var tlvs = new ByteArrayOutputStream();
                tlv(tlvs, ProxyTlv.ALPN, "h2".getBytes(StandardCharsets.US_ASCII));
                tlv(tlvs, ProxyTlv.AUTHORITY, "www.example.com".getBytes(StandardCharsets.US_ASCII));
                tlv(tlvs, ProxyTlv.UNIQUE_ID, "0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
                tlv(tlvs, ProxyTlv.SSL, ssl.toByteArray());
                yield v2(0x11, inet("192.168.0.1", "192.168.0.11"), tlvs.toByteArray(), true);
            }
            default -> throw new IllegalArgumentException("no header shape " + shape);
        };
    }

    /** Source and destination addresses, then ports 56324 and 443. */
    private static byte[] inet(String source, String destination) throws IOException {
        byte[] s = InetAddress.getByName(source).getAddress();   // literals: no name lookup
        byte[] d = InetAddress.getByName(destination).getAddress();
        return ByteBuffer.allocate(s.length + d.length + 4).put(s).put(d).putShort((short) 56324).putShort((short) 443).array();
    }

    private static void tlv(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(value.length >> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    /** A v2 PROXY header; with {@code crc}, a CRC32C TLV at the end holding the header's checksum. */
    private static byte[] v2(int familyTransport, byte[] addresses, byte[] tlvs, boolean crc) {
        int length = addresses.length + tlvs.length + (crc ? 7 : 0);
        ByteBuffer out = ByteBuffer.allocate(16 + length)
                .put(V2_SIGNATURE).put((byte) 0x21).put((byte) familyTransport).putShort((short) length)
                .put(addresses).put(tlvs);
        if (crc) {
            out.put((byte) ProxyTlv.CRC32C).putShort((short) 4).putInt(0);
            var checksum = new CRC32C();
            checksum.update(out.array());
            out.putInt(out.capacity() - 4, (int) checksum.getValue());
        }
        return out.array();
    }
}
