package dev.socketserver;

import dev.socketserver.internal.SignalledServing;

import javax.management.ObjectName;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A server of any kind, blocking or event loop: what a program needs to run one, drain it and
 * report on it, whatever its transport and concurrency model. {@link BaseServer} (and so
 * {@link TcpServer}, {@link UdpServer}, {@link UnixStreamServer}, {@link UnixDatagramServer}) and
 * {@link dev.socketserver.async.AsyncServer} implement it; it is not meant to be implemented
 * elsewhere.
 *
 * <p>A server is bound when it is built, so clients can connect (and wait in the backlog) before
 * it serves. {@link #serveForever()} serves in the calling thread until the server stops;
 * {@link #start()} serves in the background. {@link #shutdown(Duration)} drains: it stops
 * accepting, ends connections at quiet points, cuts what is still busy at the deadline, and
 * closes. {@link #close()} stops at once.
 *
 * <pre>{@code
 * Server server = useEventLoop ? AsyncServer.tcp(address, Echo::new) : new TcpServer(address, echo);
 * server.start();
 * System.out.println("listening on " + server.serverUri());
 * ...
 * server.shutdown(Duration.ofSeconds(30));
 * }</pre>
 */
public interface Server extends AutoCloseable {

    /**
     * Serves until the server is shut down or closed, in the calling thread; on a server already
     * {@linkplain #start() started}, waits for that instead. If the waiting thread is interrupted,
     * the server is closed and this returns with the thread's interrupt status set.
     *
     * @throws IOException if the server's socket failed for good
     * @throws Error a fatal error, such as {@link OutOfMemoryError}, that ended serving: the server
     *     has closed its socket and connections first, so that it does not listen while serving nobody
     * @throws IllegalStateException if the server is closed or already serving
     */
    void serveForever() throws IOException;

    /**
     * Serves in the background and returns at once; a failure that ends serving closes the
     * server, and {@link #serveForever()} reports it.
     *
     * @throws IllegalStateException if the server is closed or already serving
     */
    void start() throws IOException;

    /**
     * Drains and closes: stops accepting at once (new clients are refused), ends each connection
     * at a quiet point, when everything the server read from it has been answered, cuts what is
     * still busy at the deadline, and closes the server. {@link #isDraining()} is true from the
     * start. If the calling thread is interrupted, the server closes at once and this returns
     * false with the interrupt status set.
     *
     * @param drain the deadline, counted from the call
     * @return whether everything ended before the deadline
     */
    boolean shutdown(Duration drain);

    /**
     * Serves until SIGTERM or SIGINT, then drains as {@link #shutdown(Duration)} does, for at most
     * {@code drain}, and returns: what a service's {@code main} needs, so that a service manager's
     * stop (systemd, Kubernetes, Docker) lets running requests finish and the program exits 0. A
     * second signal cuts the drain short. The signals get their handlers of before back when this
     * returns.
     *
     * {@snippet :
     * void main() throws IOException {
     *     var server = new TcpServer(new InetSocketAddress(9000), handler);
     *     server.serveUntilStopped(Duration.ofSeconds(30));
     * }
     * }
     *
     * @return whether every connection ended before the deadline
     * @throws IOException if the server's socket failed for good before or during the drain (the server is then closed)
     * @throws Error a fatal error that ended serving, as {@link #serveForever()} throws it
     */
    default boolean serveUntilStopped(Duration drain) throws IOException {
        return serveUntilStopped(GracefulStop.drain(drain));
    }

    /**
     * {@link #serveUntilStopped(Duration)} with a delay before the drain, or an action at the
     * signal (see {@link GracefulStop}), such as reporting not ready to a load balancer.
     *
     * @return whether every connection ended before the drain's deadline
     * @throws IOException if the server's socket failed for good before or during the drain
     */
    default boolean serveUntilStopped(GracefulStop stop) throws IOException {
        StopSignals signals = StopSignals.install();
        try {
            return serveUntil(signals, stop);
        } finally {
            signals.uninstall();
        }
    }

    /**
     * {@link #serveUntilStopped(Duration)} with signals installed earlier, before the program said
     * the server is up, so that a stop that comes at once is not missed. With signals from
     * {@link StopSignals#installWithReload()}, SIGHUP reloads the server without refusing a client
     * (a successor process takes the socket over, after which this returns as after SIGTERM; or,
     * with worker processes, a new generation of workers replaces the old one); in a successor, this
     * is where it tells its predecessor that it serves.
     *
     * @return whether every connection ended before the deadline
     * @throws IOException if the server's socket failed for good before or during the drain
     */
    default boolean serveUntil(StopSignals signals, Duration drain) throws IOException {
        return serveUntil(signals, GracefulStop.drain(drain));
    }

    /**
     * {@link #serveUntilStopped(GracefulStop)} with signals installed earlier. A second signal
     * during the delay stops the server at once, without a drain; during the drain, it cuts the
     * drain short. With {@link StopSignals#installWithReload()}, SIGHUP reloads; a server that
     * handed its socket to a successor drains at once, without the delay.
     *
     * @return whether every connection ended before the drain's deadline
     * @throws IOException if the server's socket failed for good before or during the drain
     */
    default boolean serveUntil(StopSignals signals, GracefulStop stop) throws IOException {
        Objects.requireNonNull(signals, "signals");
        Objects.requireNonNull(stop, "stop");
        try (var reloads = SignalledReload.watch(this, signals, stop.drain())) {
            return SignalledServing.serve(this, signals, stop);
        }
    }

    /** Stops serving and closes the socket and every connection at once. Idempotent. */
    @Override
    void close();

    /** The bound address, with the real port when port 0 was asked for. */
    SocketAddress serverAddress();

    /** The bound address as the command's {@code --listen} writes it: {@code tcp://127.0.0.1:9000}, {@code unix:/run/x.sock}, ... */
    String serverUri();

    /**
     * How many requests are running now: open connections (stream servers, either family), or
     * datagrams being handled; the same number as {@link ServerStats#activeRequests()}, without a snapshot.
     */
    int activeRequests();

    /** A snapshot of the server's counters. */
    ServerStats stats();

    /** The options the server was built with ({@link ServerOptions#defaults()} if none were given). */
    ServerOptions options();

    /** Whether {@link #shutdown(Duration)} has begun. */
    boolean isDraining();

    /** Publishes {@link #stats()} over JMX as {@code dev.socketserver:type=Server,name=<name>}, until the server closes. */
    ObjectName registerJmx(String name);
}
