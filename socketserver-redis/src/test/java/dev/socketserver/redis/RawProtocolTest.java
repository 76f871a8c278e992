package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** RESP as bytes on a socket: inline requests, protocol errors, and requests over the limit. */
@Timeout(30)
class RawProtocolTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void inlineCommandsAreAnswered(Family family) throws Exception {
        try (var redis = family.start(); var socket = connect(redis)) {
            send(socket, "SET greeting \"hello world\"\r\nGET greeting\r\n\r\nPING\nEXISTS greeting nope\r\n");
            assertThat(readAtLeast(socket, "+OK\r\n$11\r\nhello world\r\n+PONG\r\n:1\r\n".length()))
                    .isEqualTo("+OK\r\n$11\r\nhello world\r\n+PONG\r\n:1\r\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aProtocolErrorIsAnsweredAndTheConnectionClosed(Family family) throws Exception {
        try (var redis = family.start(); var socket = connect(redis)) {
            send(socket, "PING\r\n*1\r\n+PING\r\nPING\r\n");
            assertThat(readToEnd(socket)).isEqualTo("+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n");
            try (var other = connect(redis)) {
                send(other, "PING\r\n");
                assertThat(readAtLeast(other, 7)).as("the server serves on").isEqualTo("+PONG\r\n");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void unbalancedQuotesInAnInlineRequestAreAProtocolError(Family family) throws Exception {
        try (var redis = family.start(); var socket = connect(redis)) {
            send(socket, "SET k \"v\r\n");
            assertThat(readToEnd(socket)).isEqualTo("-ERR Protocol error: unbalanced quotes in request\r\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aRequestOverTheLimitIsRefusedBeforeItIsRead(Family family) throws Exception {
        try (var redis = family.builder().maxRequestBytes(1 << 20).start(); var socket = connect(redis)) {
            long allocatedBefore = Allocation.totalBytes();
            // announces a 500 MiB value and sends none of it: the answer comes at once, and nothing that size was made
            send(socket, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$524288000\r\n");
            assertThat(readToEnd(socket)).isEqualTo("-ERR Protocol error: request larger than the server's limit of 1048576 bytes\r\n");
            assertThat(Allocation.totalBytes() - allocatedBefore).isLessThan(64L << 20);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aBulkOver512MibIsRefusedWhateverTheLimit(Family family) throws Exception {
        try (var redis = family.builder().maxRequestBytes(Long.MAX_VALUE).start(); var socket = connect(redis)) {
            send(socket, "*2\r\n$4\r\nECHO\r\n$536870913\r\n");
            assertThat(readToEnd(socket)).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        }
    }

    static Socket connect(RedisServer redis) throws IOException {
        var socket = new Socket("127.0.0.1", redis.port());
        socket.setSoTimeout(10_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String readAtLeast(Socket socket, int n) throws IOException {
        var bytes = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        while (bytes.size() < n) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            bytes.write(buffer, 0, read);
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    static String readToEnd(Socket socket) throws IOException {
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
}
