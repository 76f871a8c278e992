package dev.socketserver.redis.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class RequestParserTest {
    private static final String PIPELINE = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
            + "SET k \"a b\\x41\\n\" 'it\\'s'\r\n"
            + "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$5\r\nv\r\nx!\r\n"
            + "\r\n"                                   // an empty inline request: skipped
            + "*0\r\n"                                 // an empty multibulk: skipped
            + "ping\n"
            + "*1\r\n$4\r\nPING\r\n";
    private static final List<String> EXPECTED = List.of("[GET, key]", "[SET, k, a bA\n, it's]", "[SET, , v\r\nx!]", "[ping]", "[PING]");

    @Test
    void parsesMultibulkAndInlineRequestsThatArriveWhole() throws ProtocolError {
        assertThat(parseInPieces(PIPELINE, PIPELINE.length())).isEqualTo(EXPECTED);
    }

    @Test
    void parsesTheSameRequestsSplitAtEveryByteBoundary() throws ProtocolError {
        for (int cut = 1; cut < PIPELINE.length(); cut++) {
            assertThat(parseAtCut(PIPELINE, cut)).as("cut at %d", cut).isEqualTo(EXPECTED);
        }
        assertThat(parseInPieces(PIPELINE, 1)).isEqualTo(EXPECTED);
        assertThat(parseInPieces(PIPELINE, 3)).isEqualTo(EXPECTED);
    }

    @Test
    void parsesFromADirectBufferAsTheEventLoopReadsIt() throws ProtocolError {
        byte[] bytes = PIPELINE.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        assertThat(parse(new RequestParser(1 << 20), List.of(direct))).isEqualTo(EXPECTED);
    }

    @Test
    void refusesAnArgumentOverTheRequestLimitBeforeReadingIt() {
        var parser = new RequestParser(1000);
        assertThatThrownBy(() -> parser.parse(buffer("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000\r\n")))
                .isInstanceOf(ProtocolError.class)
                .hasMessage("Protocol error: request larger than the server's limit of 1000 bytes");
    }

    @Test
    void refusesABulkOver512MibAsRedisDoes() {
        var parser = new RequestParser(Long.MAX_VALUE);
        assertThatThrownBy(() -> parser.parse(buffer("*2\r\n$3\r\nGET\r\n$536870913\r\n")))
                .hasMessage("Protocol error: invalid bulk length");
    }

    @Test
    void answersBrokenFramingWithRedisWords() {
        assertError("*2\r\n+GET\r\n", "Protocol error: expected '$', got '+'");
        assertError("*x\r\n", "Protocol error: invalid multibulk length");
        assertError("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
        assertError("*1\r\n$abc\r\n", "Protocol error: invalid bulk length");
        assertError("SET \"k v\r\n", "Protocol error: unbalanced quotes in request");
        assertError("GET \"k\"v\r\n", "Protocol error: unbalanced quotes in request");
        assertError("x".repeat(RequestParser.MAX_INLINE_LENGTH + 1), "Protocol error: too big inline request");
    }

    @Test
    void refusesAnInlineRequestThatGrowsPastItsLimitAcrossReads() throws ProtocolError {
        var parser = new RequestParser(1 << 20);
        String half = "x".repeat(RequestParser.MAX_INLINE_LENGTH / 2 + 1);
        assertThat(parser.parse(buffer(half))).isFalse();
        assertThatThrownBy(() -> parser.parse(buffer(half))).hasMessage("Protocol error: too big inline request");
    }

    @Test
    void keepsOnlyTheRequestInProgressBetweenReads() throws ProtocolError {
        var parser = new RequestParser(1 << 20);
        assertThat(parser.parse(buffer("*2\r\n$3\r\nGET\r\n$3\r\nke"))).isFalse();
        assertThat(parser.inRequest()).isTrue();
        ByteBuffer rest = buffer("y\r\n*1\r\n$4\r\nPING\r\n");
        assertThat(parser.parse(rest)).isTrue();
        assertThat(parser.arguments()).hasToString("[GET, key]");
        assertThat(rest.remaining()).as("the next request stays in the read").isEqualTo(14);
    }

    private static void assertError(String input, String message) {
        var parser = new RequestParser(1 << 20);
        assertThatThrownBy(() -> {
            ByteBuffer data = buffer(input);
            while (data.hasRemaining()) {
                parser.parse(data);
                parser.arguments().clear();
            }
        }).as(input.length() > 40 ? input.substring(0, 40) : input).isInstanceOf(ProtocolError.class).hasMessage(message);
    }

    private static List<String> parseAtCut(String input, int cut) throws ProtocolError {
        return parse(new RequestParser(1 << 20), List.of(buffer(input.substring(0, cut)), buffer(input.substring(cut))));
    }

    private static List<String> parseInPieces(String input, int size) throws ProtocolError {
        var pieces = new ArrayList<ByteBuffer>();
        for (int i = 0; i < input.length(); i += size) {
            pieces.add(buffer(input.substring(i, Math.min(input.length(), i + size))));
        }
        return parse(new RequestParser(1 << 20), pieces);
    }

    private static List<String> parse(RequestParser parser, List<ByteBuffer> pieces) throws ProtocolError {
        var requests = new ArrayList<String>();
        for (ByteBuffer piece : pieces) {
            while (piece.hasRemaining()) {
                if (parser.parse(piece)) {
                    requests.add(parser.arguments().toString());
                    parser.arguments().clear();
                }
            }
        }
        assertThat(parser.inRequest()).isFalse();
        return requests;
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
