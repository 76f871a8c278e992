package dev.socketserver;

import java.net.SocketAddress;

/**
 * A request handler with Python's shape: one instance per request, and three steps,
 * {@link #setup()}, {@link #handle()} and {@link #finish()}.
 *
 * <p>The server creates the instance with the factory it was given (typically {@code Handler::new})
 * and runs, in the request's thread: {@code setup()}; then {@code handle()}; then {@code finish()},
 * which runs even when {@code handle()} threw. If {@code setup()} throws, neither {@code handle()}
 * nor {@code finish()} runs. An exception from any step goes to the server's
 * {@link BaseServer#handleError handleError}.
 *
 * <p>Unlike Python, {@code handle()} is abstract, so a misspelt override ({@code handler()}) does not
 * compile instead of silently serving nothing. Most handlers extend {@link StreamRequestHandler} or
 * {@link DatagramRequestHandler}.
 *
 * @param <Q> the request type: {@link Connection} or {@link Datagram}
 */
public abstract class BaseRequestHandler<Q> {
    private Q request;
    private SocketAddress clientAddress;
    private BaseServer<Q> server;

    /** For subclasses; the request is attached before {@link #setup()} runs. */
    protected BaseRequestHandler() {
    }

    /** Prepares for {@link #handle()}. Does nothing by default. */
    protected void setup() throws Exception {
    }

    /** Serves the request. */
    protected abstract void handle() throws Exception;

    /** Cleans up after {@link #handle()}, even when it threw. Does nothing by default. */
    protected void finish() throws Exception {
    }

    /** The request: the {@link Connection}, or the {@link Datagram}. */
    public final Q request() {
        return request;
    }

    /** The client's address, as the server's {@code getRequest()} reported it. */
    public final SocketAddress clientAddress() {
        return clientAddress;
    }

    /** The server that runs this handler: for shared state, or to call {@link BaseServer#shutdown()}. */
    public final BaseServer<Q> server() {
        return server;
    }

    final void run(Q request, SocketAddress clientAddress, BaseServer<Q> server) throws Exception {
        if (this.server != null) {
            throw new IllegalStateException("a handler instance serves one request: the factory must return a new instance each time");
        }
        this.request = request;
        this.clientAddress = clientAddress;
        this.server = server;
        setup();
        try {
            handle();
        } finally {
            finish();
        }
    }
}
