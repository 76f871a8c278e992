package dev.socketserver.loadgen;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * One stream connection's side of an echo conversation: what to send next, and whether what came
 * back is exactly what was sent. It holds no copy of the bytes in flight: the stream of connection
 * {@code id} is message 0, message 1, and so on, each taken from the {@link MessagePattern}, so two
 * counters (bytes written, bytes checked) say everything.
 *
 * <p>At most {@code pipeline} messages are in flight: message {@code k} may be sent once the echo of
 * message {@code k - pipeline} is complete. A message's latency runs from the write that carried its
 * first byte to the read that completed its echo.
 *
 * <p>Not thread-safe: everything here runs in the load generator thread that owns the connection.
 */
final class EchoStream {
    final int id;
    private final int size;
    private final int pipeline;
    private final long[] sentAt;

    private long txMessage;   // the message being written
    private int txOffset;     // bytes of it written
    private long rxMessage;   // the message whose echo is being read
    private int rxOffset;     // bytes of it read
    private boolean rxBad;    // the echo being read has a wrong byte already
    private long mismatchedMessages;
    private String firstMismatch;

    EchoStream(int id, int size, int pipeline) {
        this.id = id;
        this.size = size;
        this.pipeline = pipeline;
        this.sentAt = new long[pipeline];
    }

    /** Echoes that held a wrong byte. */
    long mismatchedMessages() {
        return mismatchedMessages;
    }

    /** Where the first wrong byte was, or null. */
    String firstMismatch() {
        return firstMismatch;
    }

    /** Whether the window allows more bytes to be written. */
    boolean wantsToWrite() {
        return txMessage < rxMessage + pipeline;
    }

    /** Bytes written whose echo has not been read yet. */
    long bytesInFlight() {
        return (txMessage - rxMessage) * size + (txOffset - rxOffset);
    }

    /**
     * Puts the next bytes to send into {@code dst}, as many as fit and as the window allows. Nothing
     * is counted as sent until {@link #written} says how many the socket took.
     *
     * @param pattern this thread's {@link MessagePattern#view()}
     * @return the number of bytes put
     */
    int fill(ByteBuffer dst, ByteBuffer pattern) {
        pattern.clear();   // absolute reads below are bounded by the limit, which received() narrows
        int start = dst.position();
        long message = txMessage;
        int offset = txOffset;
        long window = rxMessage + pipeline;
        while (message < window && dst.hasRemaining()) {
            int take = Math.min(size - offset, dst.remaining());
            dst.put(dst.position(), pattern, MessagePattern.offset(id, message) + offset, take);
            dst.position(dst.position() + take);
            offset += take;
            if (offset == size) {
                message++;
                offset = 0;
            }
        }
        return dst.position() - start;
    }

    /** The socket took the first {@code n} bytes of what {@link #fill} put, at {@code now} (nanoseconds). */
    void written(int n, long now) {
        int left = n;
        while (left > 0) {
            if (txOffset == 0) {
                sentAt[(int) (txMessage % pipeline)] = now;
            }
            int take = Math.min(size - txOffset, left);
            txOffset += take;
            left -= take;
            if (txOffset == size) {
                txMessage++;
                txOffset = 0;
            }
        }
    }

    /**
     * Checks the remaining bytes of {@code src} (all consumed) against what was sent. Each echo
     * completed without a wrong byte has its latency given to {@code latencies}; one with a wrong
     * byte counts as a mismatched message instead.
     *
     * @param pattern this thread's {@link MessagePattern#view()}
     * @param now when the bytes were read, in nanoseconds
     * @return the number of echoes completed, good or bad
     * @throws UnexpectedEchoException if more bytes came back than were sent
     */
    int received(ByteBuffer src, ByteBuffer pattern, long now, LongConsumer latencies) throws UnexpectedEchoException {
        int end = src.limit();
        int pos = src.position();
        if (end - pos > bytesInFlight()) {
            throw new UnexpectedEchoException("connection " + id + ": the server sent " + (end - pos)
                    + " bytes but only " + bytesInFlight() + " were waiting for their echo");
        }
        int completed = 0;
        while (pos < end) {
            int take = Math.min(size - rxOffset, end - pos);
            if (!rxBad) {
                int expected = MessagePattern.offset(id, rxMessage) + rxOffset;
                src.limit(pos + take).position(pos);
                pattern.limit(expected + take).position(expected);
                int at = src.mismatch(pattern);
                if (at >= 0) {
                    rxBad = true;
                    mismatchedMessages++;
                    if (firstMismatch == null) {
                        firstMismatch = "connection " + id + ", message " + rxMessage + ", byte " + (rxOffset + at)
                                + ": sent 0x" + HexFormat.of().toHexDigits(pattern.get(expected + at))
                                + ", echoed 0x" + HexFormat.of().toHexDigits(src.get(pos + at));
                    }
                }
            }
            pos += take;
            rxOffset += take;
            if (rxOffset == size) {
                if (!rxBad) {
                    latencies.accept(now - sentAt[(int) (rxMessage % pipeline)]);
                }
                rxMessage++;
                rxOffset = 0;
                rxBad = false;
                completed++;
            }
        }
        src.limit(end).position(end);
        return completed;
    }

    /** The server sent bytes that were never sent to it. */
    static final class UnexpectedEchoException extends IOException {
        UnexpectedEchoException(String message) {
            super(message);
        }
    }
}
