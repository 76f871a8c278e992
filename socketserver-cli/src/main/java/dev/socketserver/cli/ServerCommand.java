package dev.socketserver.cli;

import dev.socketserver.BaseServer;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * A command that runs a server: it binds, prints {@code listening on ADDRESS} (the real address)
 * as the first line of standard output, serves until SIGTERM or SIGINT, drains, and exits 0.
 * A failure to bind propagates to {@link ErrorReporter}, which makes it one line and exit status 1.
 */
abstract class ServerCommand implements Callable<Integer> {

    @Mixin
    ServerOptions options;

    /** What the server does; {@code out} is standard output, for handlers that print. */
    abstract Service service(PrintStream out);

    @Override
    public Integer call() throws IOException {
        PrintStream out = System.out;
        BaseServer<?> server = Servers.open(options.listen, service(out), options.concurrency);
        StopSignals signals = StopSignals.install();
        out.println("listening on " + Servers.uri(server));
        out.flush();
        return ServerSession.serveUntilStopped(server, options.drain, signals, System.err);
    }
}
