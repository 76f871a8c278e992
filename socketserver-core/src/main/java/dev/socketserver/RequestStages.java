package dev.socketserver;

import dev.socketserver.internal.DrainPlan;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.function.BooleanSupplier;

/**
 * What a kind of server adds around the requests {@link BaseServer} runs: steps before and after
 * the handler (a TLS handshake, a PROXY header), requests that run in child processes, worker
 * processes that accept in the server's place, a drain's look at running connections, and what
 * outlives the socket. Stream servers have {@link StreamStages}; datagram servers add nothing
 * ({@link #none()}).
 *
 * @param <Q> the request type
 */
interface RequestStages<Q> {

    /** Stages that add nothing. */
    @SuppressWarnings("unchecked")
    static <Q> RequestStages<Q> none() {
        return (RequestStages<Q>) NoStages.INSTANCE;
    }

    /**
     * Prepares a request in its own thread before the handler runs. Returns what the handler sees,
     * or null if the request was turned away (and already logged and counted).
     */
    default Q begin(Q request) throws IOException {
        return request;
    }

    /** Ends what {@link #begin} wrapped around a request, such as a TLS session. */
    default void end(Q served) {
    }

    /**
     * Whether the server's own policy ended {@code served} while its handler ran (a refused TLS
     * renegotiation), counted and logged already: the handler's failure that follows is expected,
     * not an error for {@link BaseServer#handleError}.
     */
    default boolean endedByPolicy(Q served) {
        return false;
    }

    /**
     * Starts a request that runs outside this JVM's threads (a child process), which calls
     * {@link BaseServer#detachedRequestEnded} when it is over. Runs in the serving thread.
     */
    default void startDetached(Q request, SocketAddress clientAddress) throws IOException {
        throw new IllegalStateException("this server runs no request in a child process");
    }

    /** Called each time the serving loop turns: after each batch, and at least once per poll interval while idle. */
    default void loopTurned() {
    }

    /** Whether this server is the supervisor of worker processes, which accept in its place. */
    default boolean supervisesWorkers() {
        return false;
    }

    /** The serving loop of a supervisor: keeps the workers running until {@code stop}, then asks them to stop. */
    default void superviseWorkers(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        throw new IllegalStateException("this server supervises no worker processes");
    }

    /** A drain began: tells the running requests' handlers ({@link Connection#onDrain}). */
    default void drainStarted() {
    }

    /** A drain's regular look at the running requests: ends those at a quiet point (see {@link DrainPlan}). */
    default void drainLook(DrainPlan plan, long nowNanos) {
    }

    /**
     * Releases what outlives the socket, such as child processes, which have until
     * {@code deadlineNanos} to exit; after close() and shutdown(Duration).
     *
     * @return whether everything ended by the deadline
     */
    default boolean afterClose(long deadlineNanos) {
        return true;
    }

    /** The stages of a server that adds nothing. */
    final class NoStages implements RequestStages<Object> {
        private static final NoStages INSTANCE = new NoStages();

        private NoStages() {
        }
    }
}
