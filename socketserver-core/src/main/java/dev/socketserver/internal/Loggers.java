package dev.socketserver.internal;

import java.util.List;

/**
 * The library's loggers, one per component, all under {@code dev.socketserver} (so configuring
 * that name configures them all). Everything goes through {@link System.Logger}. The levels
 * follow one rule: a client that went away is {@code TRACE}, routine events {@code DEBUG} (among
 * them a connection closed by a timeout, or because its peer sent a frame over the limit), a
 * client's protocol error (a failed TLS handshake, a bad PROXY header) {@code WARNING} at most
 * once a second per kind, a handler's exception {@code WARNING} (Python's error block), and a
 * fault in the library or the system (an accept that fails, a hook that throws) {@code ERROR} or
 * {@code WARNING}.
 *
 * <p>Both families use the same logger for the same event: an accept that fails goes to
 * {@link #ACCEPT} on the blocking servers and on the event loop alike, a handler's or a
 * protocol's exception to {@link #REQUEST}, and so on. {@link #ASYNC} is only for what exists on
 * the event loop alone: the loop itself.
 */
public final class Loggers {
    /** Binding and closing servers, datagram oddities (a send or receive that fails). */
    public static final String SERVER = "dev.socketserver";
    /** The accept loop: failures to accept, such as too many open files, and its backoff. */
    public static final String ACCEPT = "dev.socketserver.accept";
    /** Requests: handler and protocol exceptions, clients that went away, connections closed by a timeout. */
    public static final String REQUEST = "dev.socketserver.request";
    /** TLS handshakes that fail. */
    public static final String TLS = "dev.socketserver.tls";
    /** PROXY protocol headers turned away. */
    public static final String PROXY = "dev.socketserver.proxy";
    /** Child processes of a process per connection. */
    public static final String PROCESSES = "dev.socketserver.processes";
    /** Worker processes and their supervisor. */
    public static final String WORKERS = "dev.socketserver.workers";
    /** The event loop itself ({@code dev.socketserver.async}): a loop that fails, a task or timer on a loop that throws. */
    public static final String ASYNC = "dev.socketserver.async";

    /** Every logger above. */
    public static final List<String> ALL = List.of(SERVER, ACCEPT, REQUEST, TLS, PROXY, PROCESSES, WORKERS, ASYNC);

    private Loggers() {
    }
}
