package dev.socketserver.async;

import dev.socketserver.FrameTooLongException;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.framing.FrameDecoder;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * The {@link Protocol} behind {@link FrameProtocol#framedBy}: cuts what the connection reads into
 * frames with its own {@link FrameDecoder} and hands them to the {@link FrameProtocol}. Loop thread only.
 *
 * <p>A frame that lies whole in a read is handed over as a slice of it. A frame that spans reads
 * is gathered in {@code partial}, which is made when such a frame starts (of the frame's size when
 * the decoder knows it), grows to the frame's size at most, and is dropped once the frame is
 * handed over.
 *
 * <p>Backpressure: before each frame it asks whether the connection still takes data. When reading
 * has paused meanwhile (replies backed up, or the protocol paused it) or the connection is closing,
 * it stops and leaves the rest of the read in {@code data}; the {@link InboundReader} holds that
 * rest, for this protocol only, and hands it here again when reading resumes.
 */
final class FramedProtocol implements Protocol {
    private static final System.Logger LOG = System.getLogger(Loggers.REQUEST);
    /** A frame of unknown size that spans reads starts in a buffer this large, or as large as what it has so far. */
    private static final int FIRST_PARTIAL = 512;

    private final FrameDecoder decoder;
    private final FrameProtocol protocol;
    private Transport transport;
    private StreamConnection connection;    // the transport, when it is the library's (always, but in a test that drives this by hand)
    private ByteBuffer partial;             // the start of a frame that spans reads, from its first byte; null when none
    private boolean refused;                // a frame broke the framer's rules: nothing more is handed over

    FramedProtocol(FrameDecoder decoder, FrameProtocol protocol) {
        this.decoder = decoder;
        this.protocol = protocol;
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        connection = t instanceof StreamConnection c ? c : null;
        protocol.connectionMade(t);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        try {
            while (data.hasRemaining() && takesFrames()) {
                if (partial == null) {
                    nextFrame(data);
                } else {
                    continueFrame(data);
                }
            }
        } catch (FrameTooLongException e) {
            data.position(data.limit());
            refuse(e);
        } catch (IOException impossibleLength) {
            data.position(data.limit());
            abort(impossibleLength);
        }
    }

    /** Whether to hand over another frame now: reading has not paused, and the connection is not closing. */
    private boolean takesFrames() {
        return !refused && (connection != null ? connection.acceptsData() : !transport.isClosing());
    }

    /** A frame starts at {@code data}'s position: hands it over in place if it ends in {@code data}, else starts gathering it. */
    private void nextFrame(ByteBuffer data) throws IOException {
        int start = data.position();
        int end = decoder.scan(data, start, data.limit());
        if (end < 0) {
            long expected = decoder.expectedLength();
            int capacity = (int) Math.max(data.remaining(), expected >= 0 ? expected : Math.min(FIRST_PARTIAL, decoder.maxWireLength()));
            partial = ByteBuffer.allocate(capacity).put(data);
            return;
        }
        data.position(end);
        handOver(data.slice(start, end - start));
    }

    /** Adds to the frame being gathered what of {@code data} belongs to it; hands it over if it ends there. */
    private void continueFrame(ByteBuffer data) throws IOException {
        int from = data.position();
        int end = decoder.scan(data, from, data.limit());
        int upTo = end < 0 ? data.limit() : end;
        int length = upTo - from;
        makeRoom(length);
        partial.put(partial.position(), data, from, length);
        partial.position(partial.position() + length);
        data.position(upTo);
        if (end >= 0) {
            ByteBuffer frame = partial.flip();
            partial = null;
            handOver(frame);
        }
    }

    /** Grows {@code partial} for {@code more} bytes: to the frame's size once the decoder knows it, else doubling, to the framer's limit at most. */
    private void makeRoom(int more) {
        int needed = partial.position() + more;
        if (needed <= partial.capacity()) {
            return;
        }
        long expected = decoder.expectedLength();
        long capacity = expected >= needed ? expected : Math.max(needed, Math.min(2L * partial.capacity(), decoder.maxWireLength()));
        partial = ByteBuffer.allocate((int) capacity).put(partial.flip());
    }

    private void handOver(ByteBuffer frame) {
        decoder.trim(frame);
        try {
            protocol.frameReceived(frame);
        } catch (RuntimeException e) {
            failed("frameReceived", e);
        }
    }

    /** A frame over the limit: the protocol may answer, then the connection closes once that is written. */
    private void refuse(FrameTooLongException e) {
        refused = true;
        partial = null;
        logClose(e);
        try {
            protocol.frameTooLong(e);
        } catch (RuntimeException thrown) {
            failed("frameTooLong", thrown);
            return;
        }
        transport.close();
    }

    /** A length field that gives an impossible length: the stream cannot be followed, so the connection is aborted. */
    private void abort(IOException e) {
        refused = true;
        partial = null;
        logClose(e);
        if (connection != null) {
            connection.abort(e);
        } else {
            transport.abort();
        }
    }

    private void logClose(IOException e) {
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "closing connection from " + Addresses.format(transport.clientAddress()) + ": " + e.getMessage());
        }
    }

    private void failed(String callback, RuntimeException e) {
        if (connection == null) {
            throw e;
        }
        connection.failed(callback, e);
    }

    /** Hands over a last line cut short by EOF (lines only; other unfinished frames are dropped), then tells the protocol. */
    @Override
    public boolean eofReceived() {
        ByteBuffer rest = partial;
        partial = null;
        if (rest != null && !refused && decoder.endsAtEndOfStream(rest.flip())) {
            try {
                protocol.frameReceived(rest);
            } catch (RuntimeException e) {
                failed("frameReceived", e);
                return false;
            }
        }
        if (connection != null && connection.isClosed()) {
            return false;
        }
        return protocol.eofReceived();
    }

    @Override
    public void connectionLost(Throwable cause) {
        partial = null;
        protocol.connectionLost(cause);
    }

    /** The capacity of the buffer gathering a frame that spans reads; 0 when there is none. For tests. */
    int partialCapacity() {
        return partial == null ? 0 : partial.capacity();
    }

    @Override
    public void pauseWriting() {
        protocol.pauseWriting();
    }

    @Override
    public void resumeWriting() {
        protocol.resumeWriting();
    }

    @Override
    public void drainStarted() {
        protocol.drainStarted();
    }
}
