package dev.socketserver.internal;

import java.util.List;

/**
 * The library's loggers, one per component, all under {@code dev.socketserver} (so configuring
 * that name configures them all). Everything goes through {@link System.Logger}. The levels
 * follow one rule: a client that went away is {@code TRACE}, routine events {@code DEBUG}, a
 * client's protocol error (a failed TLS handshake, a bad PROXY header) {@code WARNING} at most
 * once a second per kind, a handler's exception {@code WARNING} (Python's error block), and a
 * fault in the library or the system (an accept that fails, a hook that throws) {@code ERROR} or
 * {@code WARNING}.
 */
public final class Loggers {
    /** Binding and closing servers, datagram oddities. */
    public static final String SERVER = "dev.socketserver";
    /** The accept loop: failures to accept, such as too many open files, and its backoff. */
    public static final String ACCEPT = "dev.socketserver.accept";
    /** Requests: handler exceptions, clients that went away, connections closed by a timeout. */
    public static final String REQUEST = "dev.socketserver.request";
    /** TLS handshakes that fail. */
    public static final String TLS = "dev.socketserver.tls";
    /** PROXY protocol headers turned away. */
    public static final String PROXY = "dev.socketserver.proxy";
    /** Child processes of a process per connection. */
    public static final String PROCESSES = "dev.socketserver.processes";
    /** Worker processes and their supervisor. */
    public static final String WORKERS = "dev.socketserver.workers";
    /** The event-loop server ({@code dev.socketserver.async}). */
    public static final String ASYNC = "dev.socketserver.async";

    /** Every logger above. */
    public static final List<String> ALL = List.of(SERVER, ACCEPT, REQUEST, TLS, PROXY, PROCESSES, WORKERS, ASYNC);

    private Loggers() {
    }
}
