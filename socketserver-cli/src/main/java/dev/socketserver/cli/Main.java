package dev.socketserver.cli;

import picocli.CommandLine;

import java.time.Duration;

/**
 * The {@code socketserver} command: demo servers ({@code echo}, {@code greet}) on TCP, UDP or Unix
 * sockets, for trying the library and for scripts.
 *
 * <p>Its contract with scripts: the first line on standard output is {@code listening on ADDRESS}
 * once the server is ready; SIGTERM or SIGINT drains and exits 0; bad arguments exit 2, and a
 * server that cannot start, or fails while serving or draining (an {@link Error} such as
 * {@link OutOfMemoryError}: {@code socketserver: fatal error, exiting: ...}), exits 1, each with
 * one line on standard error. Standard output and error may go unread: serving never waits for
 * them (see {@link LinePrinter}).
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        ConsoleLogging.configure();
        int status = run(args);
        ConsoleLogging.flush(Duration.ofSeconds(1));
        // exit explicitly: request threads of the "threads" model are not daemons
        System.exit(status);
    }

    static int run(String... args) {
        var errors = new ErrorReporter(System.err);
        return new CommandLine(new SocketserverCommand())
                .registerConverter(ListenAddress.class, ListenAddress::parse)
                .registerConverter(Mode.class, ConcurrencyModes::parse)
                .registerConverter(Duration.class, Durations::parse)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors)
                .execute(args);
    }
}
