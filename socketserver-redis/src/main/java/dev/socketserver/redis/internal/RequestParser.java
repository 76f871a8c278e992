package dev.socketserver.redis.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Cuts requests out of a RESP2 byte stream, as bytes arrive in pieces of any size: multibulk
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}) and inline ({@code GET k\r\n}, split as Redis splits it,
 * quotes optional). One parser per connection; not thread-safe.
 *
 * <p>Memory: the parser keeps at most one request in progress. Each argument is copied once, from
 * the bytes read into an array of its own size, allocated only after its length has been checked
 * against {@link #MAX_BULK_LENGTH} and the request limit: a client that announces a huge value
 * is refused before any of it is read. An inline request that spans reads is gathered in a
 * buffer of at most {@link #MAX_INLINE_LENGTH} bytes.
 *
 * <p>Errors carry Redis's words ({@code Protocol error: invalid bulk length}, ...); after one the
 * stream cannot be followed and the connection is to be closed.
 */
public final class RequestParser {
    /** Redis's {@code proto-max-bulk-len}: no argument may be longer. */
    public static final long MAX_BULK_LENGTH = 512L * 1024 * 1024;
    /** Redis's {@code PROTO_INLINE_MAX_SIZE}: the longest inline request. */
    public static final int MAX_INLINE_LENGTH = 64 * 1024;
    /** The default limit of one request's bytes. */
    public static final long DEFAULT_MAX_REQUEST = 64L * 1024 * 1024;
    private static final int MAX_DIGITS = 18;

    private enum State { START, COUNT, COUNT_END, BULK_MARK, BULK_LENGTH, BULK_LENGTH_END, BULK_DATA, BULK_CR, BULK_LF, INLINE }

    private final long maxRequest;
    private final Arguments arguments = new Arguments();
    private State state = State.START;
    private long number;           // the count or length being read
    private int digits;
    private boolean negative;
    private int expected;          // arguments of the multibulk request in progress
    private long requestBytes;     // of the multibulk request in progress, counted as its lengths arrive
    private byte[] bulk;           // the argument being read
    private int filled;
    private byte[] line;           // an inline request that spans reads; null when none
    private int lineLength;
    private byte[] token = new byte[64];

    /** @param maxRequest the most bytes one request may take: its arguments and their framing */
    public RequestParser(long maxRequest) {
        if (maxRequest < 1) {
            throw new IllegalArgumentException("the request limit must be positive, got " + maxRequest);
        }
        this.maxRequest = maxRequest;
    }

    /** The arguments of the request {@link #parse} found; clear them once it has been executed. */
    public Arguments arguments() {
        return arguments;
    }

    /** Whether a request has begun and not ended: bytes of it wait for the rest. */
    public boolean inRequest() {
        return state != State.START;
    }

    /**
     * Reads from {@code data} until one request is whole or {@code data} is used up.
     *
     * @return true when a request is whole in {@link #arguments()}, with {@code data} positioned
     *     just after it; false when everything in {@code data} has been taken and more is needed
     * @throws ProtocolError if the bytes are not RESP, or a length is over a limit
     */
    public boolean parse(ByteBuffer data) throws ProtocolError {
        while (data.hasRemaining()) {
            switch (state) {
                case START -> {
                    if (data.get(data.position()) == '*') {
                        data.get();
                        startNumber(State.COUNT);
                    } else {
                        state = State.INLINE;
                    }
                }
                case COUNT, BULK_LENGTH -> readDigits(data);
                case COUNT_END -> {
                    expectNewline(data, "invalid multibulk length");
                    if (number > Integer.MAX_VALUE) {
                        throw new ProtocolError("invalid multibulk length");
                    }
                    if (negative || number == 0) {
                        state = State.START;   // an empty request: Redis skips it
                    } else {
                        expected = (int) number;
                        requestBytes = 3 + digits;
                        state = State.BULK_MARK;
                    }
                }
                case BULK_MARK -> {
                    byte b = data.get();
                    if (b != '$') {
                        throw new ProtocolError("expected '$', got '" + (char) (b & 0xff) + "'");
                    }
                    startNumber(State.BULK_LENGTH);
                }
                case BULK_LENGTH_END -> {
                    expectNewline(data, "invalid bulk length");
                    startBulk();
                }
                case BULK_DATA -> {
                    int n = Math.min(bulk.length - filled, data.remaining());
                    data.get(bulk, filled, n);
                    filled += n;
                    if (filled == bulk.length) {
                        state = State.BULK_CR;
                    }
                }
                case BULK_CR -> {
                    expect(data, '\r');
                    state = State.BULK_LF;
                }
                case BULK_LF -> {
                    expect(data, '\n');
                    arguments.add(bulk);
                    bulk = null;
                    if (arguments.count() == expected) {
                        state = State.START;
                        return true;
                    }
                    state = State.BULK_MARK;
                }
                case INLINE -> {
                    if (readInline(data)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void startNumber(State next) {
        state = next;
        number = 0;
        digits = 0;
        negative = false;
    }

    private void readDigits(ByteBuffer data) throws ProtocolError {
        String error = state == State.COUNT ? "invalid multibulk length" : "invalid bulk length";
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b == '\r') {
                if (digits == 0) {
                    throw new ProtocolError(error);
                }
                state = state == State.COUNT ? State.COUNT_END : State.BULK_LENGTH_END;
                return;
            }
            if (b == '-' && digits == 0 && !negative) {
                negative = true;
            } else if (b >= '0' && b <= '9' && digits < MAX_DIGITS) {
                number = number * 10 + (b - '0');
                digits++;
            } else {
                throw new ProtocolError(error);
            }
        }
    }

    private static void expectNewline(ByteBuffer data, String error) throws ProtocolError {
        if (data.get() != '\n') {
            throw new ProtocolError(error);
        }
    }

    private static void expect(ByteBuffer data, char c) throws ProtocolError {
        if (data.get() != c) {
            throw new ProtocolError("expected '" + (c == '\r' ? "\\r" : "\\n") + "' after a bulk string");
        }
    }

    /** A bulk length was read: checks it against the limits before anything is allocated. */
    private void startBulk() throws ProtocolError {
        if (negative || number > MAX_BULK_LENGTH) {
            throw new ProtocolError("invalid bulk length");
        }
        requestBytes += 5 + digits + number;
        if (requestBytes > maxRequest) {
            throw new ProtocolError("request larger than the server's limit of " + maxRequest + " bytes");
        }
        bulk = number == 0 ? Empty.BYTES : new byte[(int) number];
        filled = 0;
        state = bulk.length == 0 ? State.BULK_CR : State.BULK_DATA;
    }

    /** Reads an inline request up to its newline; returns true if it ended and had arguments. */
    private boolean readInline(ByteBuffer data) throws ProtocolError {
        int start = data.position();
        int end = indexOf(data, start, (byte) '\n');
        if (end < 0) {
            int n = data.remaining();
            if (lineLength + n > MAX_INLINE_LENGTH) {
                throw new ProtocolError("too big inline request");
            }
            if (line == null) {
                line = new byte[Math.max(256, n)];
            } else if (lineLength + n > line.length) {
                line = Arrays.copyOf(line, Math.min(MAX_INLINE_LENGTH, Math.max(lineLength + n, line.length * 2)));
            }
            data.get(line, lineLength, n);
            lineLength += n;
            return false;
        }
        data.position(end + 1);
        state = State.START;
        if (line == null) {
            if (end - start > MAX_INLINE_LENGTH) {
                throw new ProtocolError("too big inline request");
            }
            split(data, start, end);
        } else {
            int n = end - start;
            if (lineLength + n > MAX_INLINE_LENGTH) {
                throw new ProtocolError("too big inline request");
            }
            byte[] whole = Arrays.copyOf(line, lineLength + n);
            data.get(start, whole, lineLength, n);
            line = null;
            lineLength = 0;
            split(ByteBuffer.wrap(whole), 0, whole.length);
        }
        return arguments.count() > 0;
    }

    private static int indexOf(ByteBuffer data, int from, byte b) {
        for (int i = from, limit = data.limit(); i < limit; i++) {
            if (data.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** Splits a line (without its {@code \n}) into arguments as Redis's {@code sdssplitargs} does. */
    private void split(ByteBuffer data, int from, int to) throws ProtocolError {
        if (to > from && data.get(to - 1) == '\r') {
            to--;
        }
        int i = from;
        while (true) {
            while (i < to && isSpace(data.get(i))) {
                i++;
            }
            if (i == to) {
                return;
            }
            int length = 0;
            boolean inDouble = false;
            boolean inSingle = false;
            while (true) {
                if (inDouble) {
                    if (i == to) {
                        throw new ProtocolError("unbalanced quotes in request");
                    }
                    byte c = data.get(i);
                    if (c == '\\' && i + 3 < to && data.get(i + 1) == 'x' && isHex(data.get(i + 2)) && isHex(data.get(i + 3))) {
                        length = put(length, (byte) (hex(data.get(i + 2)) * 16 + hex(data.get(i + 3))));
                        i += 3;
                    } else if (c == '\\' && i + 1 < to) {
                        i++;
                        byte e = data.get(i);
                        length = put(length, switch (e) {
                            case 'n' -> (byte) '\n';
                            case 'r' -> (byte) '\r';
                            case 't' -> (byte) '\t';
                            case 'b' -> (byte) '\b';
                            case 'a' -> (byte) 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (i + 1 < to && !isSpace(data.get(i + 1))) {
                            throw new ProtocolError("unbalanced quotes in request");
                        }
                        i++;
                        break;
                    } else {
                        length = put(length, c);
                    }
                } else if (inSingle) {
                    if (i == to) {
                        throw new ProtocolError("unbalanced quotes in request");
                    }
                    byte c = data.get(i);
                    if (c == '\\' && i + 1 < to && data.get(i + 1) == '\'') {
                        i++;
                        length = put(length, (byte) '\'');
                    } else if (c == '\'') {
                        if (i + 1 < to && !isSpace(data.get(i + 1))) {
                            throw new ProtocolError("unbalanced quotes in request");
                        }
                        i++;
                        break;
                    } else {
                        length = put(length, c);
                    }
                } else {
                    if (i == to) {
                        break;
                    }
                    byte c = data.get(i);
                    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) {
                        break;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        length = put(length, c);
                    }
                }
                i++;
            }
            arguments.add(Arrays.copyOf(token, length));
        }
    }

    private int put(int length, byte b) {
        if (length == token.length) {
            token = Arrays.copyOf(token, length * 2);
        }
        token[length] = b;
        return length + 1;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static int hex(byte b) {
        return b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
    }
}
