package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.RequestRunner;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;

/**
 * One request's walk through the server's hooks, from taken to ended: Python's
 * {@code _handle_request_noblock} (verify, then process) and {@code process_request_thread}
 * (prepare, finish, shut down), and the reporting of a handler's exception. Part of {@link BaseServer}.
 *
 * <p>Threads: {@link #take} runs in the serving thread; {@link #run} in the request's own thread
 * (the serving thread in the synchronous model).
 *
 * @param <Q> the request type
 */
final class RequestWalk<Q> {
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);

    private final BaseServer<Q> server;
    private final RequestRunner runner;
    private final RunningRequests<Q> running;

    RequestWalk(BaseServer<Q> server, RequestRunner runner, RunningRequests<Q> running) {
        this.server = server;
        this.runner = runner;
        this.running = running;
    }

    /** Python's {@code _handle_request_noblock}, after the request was taken. Consumes one permit. */
    void take(Q request) {
        server.counters.accepted.increment();
        SocketAddress clientAddress = server.clientAddress(request);
        boolean verified;
        try {
            verified = server.verifyRequest(request, clientAddress);
        } catch (Exception e) {
            reportError(request, clientAddress, e);
            verified = false;
        }
        if (!verified) {
            server.counters.refused.increment();
            try {
                server.shutdownRequest(request);
            } finally {
                server.counters.closed.increment();
                runner.release();
            }
            return;
        }
        running.add(request);
        server.counters.requests.increment();   // after add: a request counted is never seen as not running yet
        try {
            server.processRequest(request, clientAddress);
        } catch (Exception e) {
            reportError(request, clientAddress, e);
            running.complete(request);
        } catch (Error e) {
            running.complete(request);
            throw e;
        }
        if (runner.isInline()) {
            running.complete(request);   // in case an override of processRequest did not run runRequest
        }
    }

    /** The body of a request in its own thread: Python's {@code process_request_thread}. */
    void run(Q request, SocketAddress clientAddress) {
        running.runsHere(request);
        Q served = null;
        try {
            served = server.stages().begin(request);
            if (served != null) {
                server.finishRequest(served, served == request ? clientAddress : server.clientAddress(served));
            }
        } catch (Exception e) {
            if (running.endedByServer(request)) {
                REQUEST_LOG.log(Level.DEBUG, () -> "request from " + Addresses.format(clientAddress) + " ended by shutdown: " + e);
            } else if (served != null && server.stages().endedByPolicy(served)) {
                REQUEST_LOG.log(Level.DEBUG, () -> "request from " + Addresses.format(clientAddress) + " ended by the server's policy: " + e);
            } else {
                reportError(request, clientAddress, e);
            }
        } finally {
            if (served != null && served != request) {
                server.stages().end(served);
            }
            running.complete(request);
        }
    }

    /** Counts a handler's exception and hands it to {@link BaseServer#handleError}, which must not stop the server. */
    private void reportError(Q request, SocketAddress clientAddress, Exception e) {
        if (!(e instanceof FrameTooLongException)) {   // the peer broke a limit; the handler did nothing wrong
            server.counters.handlerErrors.increment();
        }
        try {
            server.handleError(request, clientAddress, e);
        } catch (RuntimeException inHandler) {
            REQUEST_LOG.log(Level.ERROR, "handleError itself failed", inHandler);
        }
    }

    /** Whether {@code error} says the client went away (a reset, a broken pipe, a datagram sender gone): not the server's error. */
    static boolean clientWentAway(Throwable error) {
        if (error instanceof java.net.PortUnreachableException) {
            return true;   // a reply to a datagram sender that is gone
        }
        // a socket's streams throw SocketException; a channel's writes (and Unix-stream reads) a plain IOException
        if (!(error instanceof IOException) || error.getMessage() == null) {
            return false;
        }
        String message = error.getMessage();
        return message.startsWith("Connection reset") || message.startsWith("Broken pipe");
    }

    /**
     * {@link BaseServer#handleError}'s default: Python's block at {@code WARNING}, one line at
     * {@code TRACE} for a client that went away, one at {@code DEBUG} for a frame over its limit.
     */
    static void logError(SocketAddress clientAddress, Throwable error) {
        if (clientWentAway(error)) {
            REQUEST_LOG.log(Level.TRACE, () -> "client " + Addresses.format(clientAddress) + " went away: " + error);
            return;
        }
        if (error instanceof FrameTooLongException tooLong) {
            REQUEST_LOG.log(Level.DEBUG, () -> "closing connection from " + Addresses.format(clientAddress) + ": " + tooLong.getMessage());
            return;
        }
        if (!REQUEST_LOG.isLoggable(Level.WARNING)) {
            return;
        }
        String dashes = "-".repeat(40);
        REQUEST_LOG.log(Level.WARNING, dashes + System.lineSeparator()
                + "Exception occurred during processing of request from " + Addresses.format(clientAddress)
                + System.lineSeparator() + dashes, error);
    }
}
