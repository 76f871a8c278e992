package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.GracefulStop;
import dev.socketserver.InheritedConnection;
import dev.socketserver.Server;
import dev.socketserver.StopSignals;

import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * A command that runs a server: it binds, prints {@code listening on ADDRESS} (the real address)
 * as the first line of standard output, serves until SIGTERM or SIGINT, serves on for
 * {@code --drain-delay} with {@code --ready-listen} closed, drains, and exits 0; on SIGHUP it
 * reloads ({@link StopSignals#installWithReload()}): new workers, or a successor process that
 * prints its own listening line and takes over the socket, after which this one drains and exits 0.
 * A failure to bind propagates to {@link ErrorReporter}, which makes it one line and exit status 1.
 */
abstract class ServerCommand implements Callable<Integer> {

    @Mixin
    ServeFlags options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** How long the command waits at exit for standard output to take the lines still queued. */
    private static final Duration OUTPUT_FLUSH_AT_EXIT = Duration.ofSeconds(1);

    /**
     * What the server does; {@code out} queues lines for standard output, for handlers that print:
     * serving never waits for standard output, which may be a pipe nobody reads.
     */
    abstract Service service(LinePrinter out);

    /**
     * Binds the server that the flags describe, running {@link #service}; a command that builds
     * its server another way overrides this.
     *
     * @throws IllegalArgumentException if the flags do not fit together (reported as bad arguments)
     */
    Server open(LinePrinter lines) throws IOException {
        return Servers.open(options.listen, service(lines), options.concurrency, options);
    }

    /**
     * The handler of the one connection of {@code stdin:} or an {@code Accept=yes} socket; a
     * command that cannot serve one connection alone throws {@link IllegalArgumentException}.
     */
    ConnectionHandler oneConnectionHandler(LinePrinter lines) {
        return service(lines).onConnection();
    }

    /**
     * A warning when the server serves at most N connections at once and nothing ends an idle
     * one: N clients that connect and send nothing then lock everyone else out.
     */
    Optional<String> lockOutWarning() {
        boolean stream = options.listen instanceof ListenAddress.Tcp || options.listen instanceof ListenAddress.Unix;
        if (!stream || options.idleTimeout != null || options.requestDeadline != null) {
            return Optional.empty();
        }
        String cap = null;
        if (options.maxConnections > 0) {
            cap = "--max-connections " + options.maxConnections;
        } else if (options.concurrency instanceof Mode.Blocking(var concurrency)
                && (concurrency.toString().equals("sync") || concurrency.toString().startsWith("bounded:"))) {
            cap = "--concurrency " + concurrency;
        }
        return Optional.ofNullable(cap).map(c -> "socketserver: warning: " + c + " without --idle-timeout or --request-deadline: "
                + "that many idle clients lock everyone else out");
    }

    @Override
    public Integer call() throws IOException {
        if (options.maxConnections < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-connections must be 0 (no limit) or more");
        }
        if (options.statsInterval != null && options.statsInterval.isZero()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--stats needs a positive interval, such as 10s");
        }
        PrintStream out = System.out;
        LinePrinter lines = LinePrinter.start(out, "stdout", "line of output", "lines of output");
        try {
            return serve(out, lines);
        } finally {
            lines.close(OUTPUT_FLUSH_AT_EXIT);
        }
    }

    private int serve(PrintStream out, LinePrinter lines) throws IOException {
        options.listen = options.listen.resolved();   // systemd: becomes the address of the socket systemd passed
        if (options.listen instanceof ListenAddress.OneConnection one) {
            return serveOneConnection(one, lines);
        }
        Server server;
        try {
            server = open(lines);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        boolean supervisor = options.concurrency instanceof Mode.Blocking(var concurrency)
                && concurrency.isWorkerProcesses() && !Concurrency.isWorkerProcess();
        if (options.statsInterval != null && !supervisor) {   // a supervisor serves nothing: its workers print their own
            StatsPrinter.start(server, options.statsInterval, System.err);
        }
        StopSignals signals = StopSignals.installWithReload();   // SIGHUP: reload without refusing a client
        GracefulStop stop = GracefulStop.drain(options.drain);
        ReadinessSocket readiness = null;
        try {
            if (!Concurrency.isWorkerProcess()) {   // a worker shares its supervisor's standard output, address and readiness
                stop = stop.withDelay(options.drainDelay);
                if (options.readyListen != null) {
                    readiness = openReadiness(server);
                    stop = stop.whenStopRequested(readiness::close);
                }
                out.println("listening on " + server.serverUri());
                out.flush();
                if (readiness != null) {
                    System.err.println("socketserver: ready on " + readiness.uri() + " (closes at the first stop signal)");
                }
                lockOutWarning().ifPresent(System.err::println);
            }
            return ServerSession.serveUntilStopped(server, stop, signals, System.err);
        } finally {
            if (readiness != null) {
                readiness.close();
            }
        }
    }

    /** Binds {@code --ready-listen}; if that fails, closes {@code server} too, as a failed bind of it would. */
    private ReadinessSocket openReadiness(Server server) throws IOException {
        try {
            return ReadinessSocket.open(options.readyListen.resolved());
        } catch (IllegalArgumentException e) {
            server.close();
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /**
     * Serves the one connection inetd or systemd ({@code Accept=yes}) accepted, with the blocking
     * handler, and ends: there is no listening socket, so no listening line (with inetd, standard
     * output is the connection itself).
     */
    private int serveOneConnection(ListenAddress.OneConnection one, LinePrinter lines) {
        if (options.tlsCertificate != null || options.proxyProtocol || options.maxConnections > 0 || options.statsInterval != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--tls-cert, --proxy-protocol, --max-connections and --stats apply to a listening socket, not to the one connection of " + one);
        }
        ConnectionHandler handler;
        try {
            handler = oneConnectionHandler(lines);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int status = InheritedConnection.serveOne(handler);
        return status == 0 ? 0 : Main.EXIT_FAILURE;
    }
}
