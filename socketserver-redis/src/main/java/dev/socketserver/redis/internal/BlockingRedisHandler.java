package dev.socketserver.redis.internal;

import dev.socketserver.Connection;
import dev.socketserver.ConnectionHandler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Serves RESP on a blocking connection, under any thread model: reads what has arrived, runs
 * every whole request in it, and writes their replies together before it waits for more, so a
 * batch of pipelined requests costs one write. Everything here runs in the connection's own
 * thread; the engine is shared.
 *
 * <p>A client that pipelines and never reads holds this thread in its write (TCP pushes back),
 * so the server buffers at most one batch's replies for it.
 */
public final class BlockingRedisHandler implements ConnectionHandler {
    /** Reads of at least the connection's own buffer go straight to the socket, so this costs no second copy. */
    private static final int READ_BUFFER = 16 * 1024;
    /** Replies are written once this much has gathered, even mid-batch. */
    private static final int FLUSH_AT = 64 * 1024;

    private final Engine engine;
    private final long maxRequest;

    public BlockingRedisHandler(Engine engine, long maxRequest) {
        this.engine = engine;
        this.maxRequest = maxRequest;
    }

    @Override
    public void handle(Connection connection) throws IOException {
        InputStream in = connection.in();
        Reply.Sink out = connection.out()::write;
        var parser = new RequestParser(maxRequest);
        var reply = new Reply();
        var session = new Session();
        byte[] buffer = new byte[READ_BUFFER];
        ByteBuffer data = ByteBuffer.wrap(buffer).limit(0);
        try {
            while (true) {
                if (!data.hasRemaining()) {
                    if (reply.pending() > 0) {
                        reply.writeTo(out);
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        return;
                    }
                    data.limit(n).position(0);
                }
                if (parser.parse(data)) {
                    engine.execute(parser.arguments(), reply, session);
                    parser.arguments().clear();
                    if (session.quitRequested()) {
                        reply.writeTo(out);
                        return;
                    }
                    if (reply.pending() >= FLUSH_AT) {
                        reply.writeTo(out);
                    }
                }
            }
        } catch (ProtocolError e) {
            reply.error("ERR " + e.getMessage());
            reply.writeTo(out);
        }
    }
}
