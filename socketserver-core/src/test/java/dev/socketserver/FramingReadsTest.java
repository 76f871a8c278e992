package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The framing reads of a blocking {@link Connection} ({@code readLine(max)}, {@code readUntil},
 * {@code readExactly}, {@code readFrame}) on a real server, over TCP, a Unix stream and TLS: a
 * stream sent one byte per write is cut as it is sent whole; frames larger than the input's buffer
 * (2 KiB, growing to 16 KiB) come whole; a frame of exactly the limit is taken and one byte more is
 * refused with {@link FrameTooLongException}; the end of the stream inside a frame is an
 * {@link EOFException} that says so, and between frames a {@code null}.
 */
@Timeout(60)
class FramingReadsTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    enum Via { TCP, UNIX, TLS }

    /** Reads every kind of frame in turn and answers with what it read, one line each. */
    private static final ConnectionHandler EVERY_KIND = conn -> {
        StringBuilder seen = new StringBuilder();
        seen.append(conn.readLine(20)).append('\n');
        seen.append(text(conn.readUntil(bytes("\r\n\r\n"), 50))).append('\n');
        seen.append(text(conn.readExactly(5))).append('\n');
        seen.append(text(conn.readFrame(LengthField.prefix(2, 100)))).append('\n');
        seen.append(text(conn.readFrame(new LengthField(1, 4, ByteOrder.LITTLE_ENDIAN, -5, 5, 100)))).append('\n');
        seen.append(conn.readLine(20)).append('\n');
        seen.append(conn.readLine(20)).append('\n');
        conn.out().write(bytes(seen.toString()));
    };

    @ParameterizedTest
    @EnumSource(Via.class)
    void aStreamSentOneByteAtATimeIsCutIntoEveryKindOfFrame(Via via) throws Exception {
        byte[] stream = concat(bytes("first line\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n12345"), new byte[] {0, 6}, bytes("prefix"),
                bytes("T"), new byte[] {10, 0, 0, 0}, bytes("body!"), bytes("last, no newline"));
        String expected = "first line\nGET / HTTP/1.1\r\nHost: x\n12345\nprefix\nbody!\nlast, no newline\nnull\n";
        assertThat(exchange(via, EVERY_KIND, stream, 1)).isEqualTo(expected);
        assertThat(exchange(via, EVERY_KIND, stream, stream.length)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void framesLargerThanTheInputBufferComeWhole(Via via) throws Exception {
        ConnectionHandler sizes = conn -> {
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 4; i++) {
                seen.append(checked(bytes(conn.readLine(65_536)))).append(' ');
            }
            seen.append(checked(conn.readUntil(bytes("<end>"), 40_000))).append(' ');
            seen.append(checked(conn.readFrame(LengthField.prefix(4, 70_004)))).append(' ');
            seen.append(checked(conn.readExactly(30_000)));
            conn.out().write(bytes(seen.toString()));
        };
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int size : new int[] {1_000, 3_000, 20_000, 65_536}) {
            stream.writeBytes(pattern(size));
            stream.writeBytes(bytes(size % 2 == 0 ? "\r\n" : "\n"));
        }
        stream.writeBytes(pattern(40_000));
        stream.writeBytes(bytes("<end>"));
        stream.writeBytes(new byte[] {0, 1, 0x11, 0x70});   // 70,000
        stream.writeBytes(pattern(70_000));
        stream.writeBytes(pattern(30_000));
        assertThat(exchange(via, sizes, stream.toByteArray(), 7_000)).isEqualTo("1000 3000 20000 65536 40000 70000 30000");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void aFrameOfExactlyTheLimitIsTakenAndOneByteMoreIsRefused(Via via) throws Exception {
        ConnectionHandler limits = conn -> {
            StringBuilder seen = new StringBuilder();
            seen.append(conn.readLine(10)).append(' ').append(text(conn.readUntil(bytes(";;"), 4))).append(' ')
                    .append(text(conn.readFrame(LengthField.prefix(1, 5)))).append(' ');
            try {
                conn.readLine(10);
            } catch (FrameTooLongException e) {
                seen.append(e.getMessage()).append(" (limit ").append(e.limit()).append(')');
                conn.in().readAllBytes();   // up to the client's EOF: closing with input unread would reset the connection
            }
            conn.out().write(bytes(seen.toString()));
        };
        byte[] atTheLimits = concat(bytes("0123456789\r\nabcd;;"), new byte[] {4}, bytes("wxyz"), bytes("0123456789x\nmore"));
        assertThat(exchange(via, limits, atTheLimits, 1))
                .isEqualTo("0123456789 abcd wxyz line longer than 10 bytes (limit 10)");

        assertThat(exchange(via, refusing(conn -> conn.readUntil(bytes(";;"), 4)), bytes("abcde;;"), 1))
                .isEqualTo("FrameTooLongException 4");
        assertThat(exchange(via, refusing(conn -> conn.readFrame(LengthField.prefix(1, 5))), new byte[] {5, 1, 2, 3, 4, 5}, 1))
                .isEqualTo("FrameTooLongException 5");
    }

    @ParameterizedTest
    @EnumSource(Via.class)
    void theEndOfTheStreamInsideAFrameIsAnEofExceptionThatSaysSo(Via via) throws Exception {
        assertThat(exchange(via, refusing(conn -> conn.readExactly(10)), bytes("abc"), 1))
                .isEqualTo("EOFException end of stream after 3 of 10 bytes");
        assertThat(exchange(via, refusing(conn -> conn.readUntil(bytes(";;"), 10)), bytes("abc;"), 1))
                .isEqualTo("EOFException end of stream inside a frame, after 4 bytes of it");
        assertThat(exchange(via, refusing(conn -> conn.readFrame(LengthField.prefix(2, 100))), new byte[] {0, 9, 'a'}, 1))
                .isEqualTo("EOFException end of stream inside a frame of 11 bytes");
        assertThat(exchange(via, refusing(conn -> conn.readFrame(LengthField.prefix(2, 100))), new byte[0], 1))
                .as("between frames").isEqualTo("null");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private interface Read {
        Object from(Connection conn) throws IOException;
    }

    /** Answers with what {@code read} returned, or the class and message (or limit) of what it threw. */
    private static ConnectionHandler refusing(Read read) {
        return conn -> {
            String answer;
            try {
                Object result = read.from(conn);
                answer = result instanceof byte[] b ? text(b) : String.valueOf(result);
            } catch (FrameTooLongException e) {
                answer = "FrameTooLongException " + e.limit();
                conn.in().readAllBytes();   // up to the client's EOF: closing with input unread would reset the connection
            } catch (EOFException e) {
                answer = "EOFException " + e.getMessage();
            }
            conn.out().write(bytes(answer));
        };
    }

    /** Serves one connection with {@code handler}; sends {@code stream} in writes of {@code chunk} bytes, then EOF; returns the answer. */
    private String exchange(Via via, ConnectionHandler handler, byte[] stream, int chunk) throws Exception {
        ServerOptions options = via == Via.TLS
                ? ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).build()
                : ServerOptions.defaults();
        try (var server = via == Via.UNIX
                ? new UnixStreamServer(dir.resolve("f.sock"), handler, Concurrency.virtualThreads(), options)
                : new TcpServer(TestServers.loopback(), handler, Concurrency.virtualThreads(), options);
             Serving<?> _ = TestServers.serve(server)) {
            Socket socket = null;
            SocketChannel channel = null;
            try {
                InputStream in;
                OutputStream out;
                switch (via) {
                    case UNIX -> {
                        channel = SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("f.sock")));
                        in = Channels.newInputStream(channel);
                        out = Channels.newOutputStream(channel);
                    }
                    case TLS -> {
                        var address = (InetSocketAddress) server.serverAddress();
                        socket = TestCertificates.clientContext(false).getSocketFactory().createSocket(address.getAddress(), address.getPort());
                        ((SSLSocket) socket).startHandshake();
                        in = socket.getInputStream();
                        out = socket.getOutputStream();
                    }
                    default -> {
                        socket = new Socket();
                        socket.connect(server.serverAddress(), 5_000);
                        in = socket.getInputStream();
                        out = socket.getOutputStream();
                    }
                }
                if (socket != null) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(20_000);
                }
                for (int at = 0; at < stream.length; at += chunk) {
                    out.write(stream, at, Math.min(chunk, stream.length - at));
                    out.flush();
                }
                if (channel != null) {
                    channel.shutdownOutput();
                } else {
                    socket.shutdownOutput();
                }
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } finally {
                if (socket != null) {
                    socket.close();
                }
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    /** {@code size} bytes of a pattern with neither {@code \n} nor {@code <}. */
    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    /** The frame's size if it is the pattern of that size, else what is wrong with it. */
    private static String checked(byte[] frame) {
        return Arrays.equals(frame, pattern(frame.length)) ? Integer.toString(frame.length) : "not the pattern: " + frame.length;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
