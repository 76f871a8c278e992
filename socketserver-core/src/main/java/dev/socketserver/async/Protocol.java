package dev.socketserver.async;

import java.nio.ByteBuffer;

/**
 * What a stream connection does, as callbacks from its event loop: asyncio's {@code Protocol} in
 * Java. An {@link AsyncServer} makes one instance per connection with the factory it was given,
 * on the connection's loop, once the connection is ready for it: after its PROXY header and its
 * TLS handshake, when those are on. A connection turned away before that gets no instance.
 *
 * <p>Every callback of one connection runs in that connection's event loop thread, one at a time,
 * so a protocol needs no locks for its own state. Callbacks must not block: to run blocking work,
 * start a virtual thread and come back with {@link EventLoop#execute} or {@link Transport#write},
 * which is safe from any thread. A callback that throws closes its connection (and is logged with
 * the peer's address); the loop and the other connections carry on.
 *
 * <p>The order is {@code connectionMade}, any number of {@code dataReceived}, at most one
 * {@code eofReceived}, then exactly one {@code connectionLost}.
 */
public interface Protocol {

    /** The connection is open; keep {@code transport} to write and close. */
    default void connectionMade(Transport transport) {
    }

    /**
     * Bytes arrived. {@code data} belongs to the event loop and is valid only during this call:
     * read it, or copy what must outlive the call. {@link Transport#write} copies as needed, so
     * {@code transport.write(data)} echoes safely.
     */
    default void dataReceived(ByteBuffer data) {
    }

    /**
     * The peer shut its output down (EOF).
     *
     * @return true to keep the connection half-open for writing (close it later yourself); false,
     *     the default, to close it once pending writes are flushed
     */
    default boolean eofReceived() {
        return false;
    }

    /**
     * The connection is closed. Called exactly once.
     *
     * @param cause null for a normal close, else what ended the connection
     */
    default void connectionLost(Throwable cause) {
    }

    /**
     * The transport's write buffer rose above its high water mark (the peer is not reading fast
     * enough): stop writing until {@link #resumeWriting()}. Memory stays bounded only if protocols
     * honour this.
     */
    default void pauseWriting() {
    }

    /** The write buffer drained below the low water mark after a {@link #pauseWriting()}. */
    default void resumeWriting() {
    }

    /**
     * The server began to drain ({@link AsyncServer#shutdown}): it no longer accepts, and will
     * close this connection at its next quiet point, or cut it at the drain's deadline. Called at
     * most once, for a connection open when the drain starts. A long-lived protocol (a chat, a
     * subscription, a tunnel) can say goodbye here, finish its work, or close at once; one that
     * does nothing is closed between two requests. As Vert.x's {@code shutdownHandler}.
     */
    default void drainStarted() {
    }
}
