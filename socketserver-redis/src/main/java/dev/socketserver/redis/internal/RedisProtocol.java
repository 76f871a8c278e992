package dev.socketserver.redis.internal;

import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Serves RESP on the event loop: runs every whole request a read brought and writes their replies
 * together, one write per read (or per {@value #FLUSH_AT} bytes of replies). Loop thread only.
 *
 * <p>Backpressure: once the connection's write buffer passes its high-water mark
 * ({@link #pauseWriting}), no further request is run; the rest of the read is kept (a copy, at
 * most one read's worth) and run when the buffer has drained ({@link #resumeWriting}). Reading
 * itself is paused by the server meanwhile, so a client that pipelines requests and never reads
 * costs the water mark, one read and one request.
 */
public final class RedisProtocol implements Protocol {
    private static final int FLUSH_AT = 64 * 1024;

    private final Engine engine;
    private final RequestParser parser;
    private final Reply reply = new Reply();
    private final Session session = new Session();
    private Transport transport;
    private Reply.Sink out;
    private ByteBuffer held;          // the rest of a read, not yet run because the replies backed up; null when none
    private boolean writingPaused;
    private boolean finished;         // QUIT or a protocol error: nothing more is run

    public RedisProtocol(Engine engine, long maxRequest) {
        this.engine = engine;
        this.parser = new RequestParser(maxRequest);
    }

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
        this.out = (bytes, offset, length) -> transport.write(ByteBuffer.wrap(bytes, offset, length));
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        if (held != null) {
            held = ByteBuffer.allocate(held.remaining() + data.remaining()).put(held).put(data).flip();
            runHeld();
            return;
        }
        run(data);
        if (data.hasRemaining() && !finished) {
            held = ByteBuffer.allocate(data.remaining()).put(data).flip();
        }
    }

    @Override
    public void pauseWriting() {
        writingPaused = true;
    }

    @Override
    public void resumeWriting() {
        writingPaused = false;
        if (held != null) {
            runHeld();
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        held = null;
        reply.clear();
    }

    private void runHeld() {
        ByteBuffer data = held;
        run(data);
        held = data.hasRemaining() && !finished ? data : null;
    }

    /** Runs the requests in {@code data} until it is used up, the replies back up, or the connection is to close. */
    private void run(ByteBuffer data) {
        try {
            while (!finished && !writingPaused && parser.parse(data)) {
                engine.execute(parser.arguments(), reply, session);
                parser.arguments().clear();
                if (session.quitRequested()) {
                    finish();
                } else if (reply.pending() >= FLUSH_AT) {
                    flush();
                }
            }
            flush();
        } catch (ProtocolError e) {
            reply.error("ERR " + e.getMessage());
            finish();
        }
    }

    private void finish() {
        finished = true;
        flush();
        transport.close();
    }

    private void flush() {
        if (reply.pending() == 0) {
            return;
        }
        try {
            reply.writeTo(out);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);   // a transport's write does not throw
        }
    }
}
