package dev.socketserver.async;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.LengthField;
import dev.socketserver.LogCapture;
import dev.socketserver.ServerOptions;
import dev.socketserver.TestCertificates;
import dev.socketserver.TlsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link FrameProtocol} on a real server: every framer cuts a stream that arrives one byte per
 * segment, in plain TCP and (lines) under TLS; many frames in one read are handed over as views of the
 * loop's (direct) read buffer, not copies; a frame over the limit goes to the hook, whose answer
 * reaches the client before the connection closes, is logged as one line, and the server goes on serving.
 */
@Timeout(60)
class FramingServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    /** Writes each frame back in brackets, and {@code too long: <limit>} for a frame over the limit; counts frames in direct buffers. */
    static final class Brackets implements FrameProtocol {
        static final AtomicInteger direct = new AtomicInteger();
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void frameReceived(ByteBuffer frame) {
            if (frame.isDirect()) {
                direct.incrementAndGet();
            }
            transport.write(ascii("[" + StandardCharsets.ISO_8859_1.decode(frame) + "]"));
        }

        @Override
        public void frameTooLong(FrameTooLongException error) {
            transport.write(ascii("too long: " + error.limit() + "\n"));
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> framers() {
        byte[] lengthFrame = {'T', 3, 0, 'H', 'a', 'b', 'c'};   // a type byte, a 2-byte little-endian length, a header byte, the content
        return Stream.of(
                Arguments.of(Framer.lines(10), bytes("one\r\ntwo\n\nthree\rx\n"), "[one][two][][three\rx]"),
                Arguments.of(Framer.delimiter(bytes("||"), 10), bytes("a||b|c||||"), "[a][b|c][]"),
                Arguments.of(Framer.lengthField(new LengthField(1, 2, ByteOrder.LITTLE_ENDIAN, 1, 3, 100)),
                        concat(lengthFrame, lengthFrame), "[Habc][Habc]"),
                Arguments.of(Framer.lengthField(LengthField.prefix(8, 100)), concat(new byte[] {0, 0, 0, 0, 0, 0, 0, 2}, bytes("hi")), "[hi]"),
                Arguments.of(Framer.fixedLength(3), bytes("abcdefgh"), "[abc][def]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("framers")
    void everyFramerCutsAStreamThatArrivesOneByteAtATime(Framer framer, byte[] stream, String expected) throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(framer, Brackets::new));
        server.start();
        try (Socket client = AsyncServerTest.connect(server.serverAddress())) {
            assertThat(sendByteByByte(client, stream)).isEqualTo(expected);
        }
    }

    @Test
    void linesArriveOneByteAtATimeUnderTls() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(20), Brackets::new),
                ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).build());
        server.start();
        var address = (InetSocketAddress) server.serverAddress();
        try (SSLSocket client = (SSLSocket) TestCertificates.clientContext(false).getSocketFactory()
                .createSocket(address.getAddress(), address.getPort())) {
            client.setSoTimeout(10_000);
            client.setTcpNoDelay(true);
            for (byte b : bytes("over tls\r\nand more\n")) {
                client.getOutputStream().write(b);
                client.getOutputStream().flush();
            }
            String expected = "[over tls][and more]";
            assertThat(new String(client.getInputStream().readNBytes(expected.length()), StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        }
    }

    @Test
    void manyFramesInOneReadAreViewsOfTheLoopsReadBufferNotCopies() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(100), Brackets::new));
        server.start();
        Brackets.direct.set(0);
        StringBuilder lines = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 1_000; i++) {
            lines.append("line ").append(i).append('\n');
            expected.append("[line ").append(i).append(']');
        }
        try (Socket client = AsyncServerTest.connect(server.serverAddress())) {
            client.getOutputStream().write(bytes(lines.toString()));
            client.shutdownOutput();
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(expected.toString());
        }
        // a frame split between two reads is gathered in a heap buffer: at most one per read of about 11 KB
        assertThat(Brackets.direct.get()).isGreaterThanOrEqualTo(990);
    }

    @Test
    void aFrameOverTheLimitGetsTheHooksAnswerThenTheConnectionClosesWithOneLogLineAndOthersAreServed() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lines(10), Brackets::new));
        server.start();
        try (LogCapture log = LogCapture.includingDebug(); Socket client = AsyncServerTest.connect(server.serverAddress())) {
            client.getOutputStream().write(bytes("ok\n0123456789" + "ab"));   // 12 bytes without a newline: certainly over 10
            assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("[ok]too long: 10\n");
            assertThat(AsyncServerTest.await(Duration.ofSeconds(5), () -> server.activeRequests() == 0)).isTrue();
            assertThat(log.entries()).filteredOn(e -> e.logger().equals("dev.socketserver.request"))
                    .singleElement().satisfies(e -> {
                        assertThat(e.level()).isEqualTo("FINE");   // DEBUG
                        assertThat(e.message()).contains("127.0.0.1:" + client.getLocalPort()).contains("line longer than 10 bytes");
                        assertThat(e.thrown()).isNull();
                    });
            assertThat(server.stats().handlerErrors()).isZero();
        }
        try (Socket other = AsyncServerTest.connect(server.serverAddress())) {
            assertThat(sendByteByByte(other, bytes("fine\n"))).isEqualTo("[fine]");
        }
    }

    @Test
    void aLengthFieldThatCannotBeAbortsTheConnectionAndOthersAreServed() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, FrameProtocol.framedBy(Framer.lengthField(LengthField.prefix(1, 100).withAdjustment(-2)),
                Brackets::new));
        server.start();
        try (Socket client = AsyncServerTest.connect(server.serverAddress())) {
            client.getOutputStream().write(new byte[] {1});   // 1 - 2 bytes after the field
            assertThat(readAllOrReset(client)).isEmpty();
        }
        try (Socket other = AsyncServerTest.connect(server.serverAddress())) {
            assertThat(sendByteByByte(other, new byte[] {4, 'o', 'k'})).isEqualTo("[ok]");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Sends {@code stream} one byte per segment, then EOF; returns everything the server sent back. */
    static String sendByteByByte(Socket client, byte[] stream) throws IOException {
        client.setTcpNoDelay(true);
        OutputStream out = client.getOutputStream();
        for (byte b : stream) {
            out.write(b);
            out.flush();
        }
        client.shutdownOutput();
        return new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    private static String readAllOrReset(Socket client) throws IOException {
        try {
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(bytes(text));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
