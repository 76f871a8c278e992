package dev.socketserver.redis.internal;

/**
 * A request that breaks RESP: the server answers {@code -ERR Protocol error: ...} and closes the
 * connection, as Redis does, since the stream can no longer be followed.
 */
public final class ProtocolError extends Exception {

    public ProtocolError(String message) {
        super("Protocol error: " + message, null, false, false);
    }
}
