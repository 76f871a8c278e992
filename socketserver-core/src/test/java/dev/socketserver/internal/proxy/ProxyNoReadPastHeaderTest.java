package dev.socketserver.internal.proxy;

import dev.socketserver.internal.proxy.ProxyHeaderParser.Complete;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

import static dev.socketserver.internal.proxy.TestStreams.ascii;
import static dev.socketserver.internal.proxy.TestStreams.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The header and the application's first bytes often arrive in one segment; after the parser, the
 * application's bytes are all still there, in every entry point. Also, over a real socket, the
 * socket's read timeout ends a stalled header: the parser passes the timeout through untouched.
 */
@Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProxyNoReadPastHeaderTest {
    private static final byte[] APPLICATION = ascii("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n\u0000\r\n\r\nPROXY TCP4 ");

    private final ProxyHeaderParser parser = ProxyHeaderParser.create();

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void aStreamIsLeftAtTheApplicationsFirstByte(String name, byte[] header) throws Exception {
        var in = new TestStreams.Recording(concat(header, APPLICATION));

        parser.read(in);

        assertThat(in.delivered()).isEqualTo(header.length);
        assertThat(in.rest()).isEqualTo(APPLICATION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void aBufferIsLeftAtTheApplicationsFirstByte(String name, byte[] header) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(header.length + APPLICATION.length).put(header).put(APPLICATION).flip();

        var result = parser.parse(buffer);

        assertThat(result).isInstanceOfSatisfying(Complete.class, c -> assertThat(c.consumed()).isEqualTo(header.length));
        byte[] rest = new byte[buffer.remaining()];
        buffer.get(rest);
        assertThat(rest).isEqualTo(APPLICATION);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.internal.proxy.SampleHeaders#all")
    void anArrayReportsExactlyTheHeaderAsConsumed(String name, byte[] header) throws Exception {
        byte[] bytes = concat(concat(ascii("xyz"), header), APPLICATION);

        var result = parser.parse(bytes, 3, bytes.length - 3);

        assertThat(result).isInstanceOfSatisfying(Complete.class, c -> assertThat(c.consumed()).isEqualTo(header.length));
    }

    @Test
    void overARealSocketTheHandlerReadsItsBytesAfterTheHeader() throws Exception {
        byte[] header = V2HeaderBuilder.proxy().tcp4("192.0.2.10", 40000, "192.0.2.1", 443).tlv(ProxyTlv.ALPN, "h2").build();
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             var client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             var accepted = listener.accept()) {
            OutputStream out = client.getOutputStream();
            out.write(concat(header, APPLICATION));
            out.flush();
            client.shutdownOutput();

            accepted.setSoTimeout(5_000);
            InputStream in = accepted.getInputStream();
            ProxyHeader parsed = parser.read(in);

            assertThat(((InetSocketAddress) parsed.source()).getPort()).isEqualTo(40000);
            assertThat(in.readAllBytes()).isEqualTo(APPLICATION);
        }
    }

    @Test
    void aStalledHeaderEndsWithTheSocketsReadTimeout() throws Exception {
        // A trusted peer sends half a v1 line and stalls (go-proxyproto CVE-2021-23409).
        try (var listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             var client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             var accepted = listener.accept()) {
            client.getOutputStream().write(ascii("PROXY TCP4 "));
            client.getOutputStream().flush();

            accepted.setSoTimeout(200);
            long start = System.nanoTime();
            assertThatThrownBy(() -> parser.read(accepted.getInputStream())).isInstanceOf(SocketTimeoutException.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(150_000_000L);
        }
    }
}
