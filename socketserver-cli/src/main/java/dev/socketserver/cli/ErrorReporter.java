package dev.socketserver.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;

/**
 * Turns failures into a line on standard error and an exit status: bad arguments give status 2
 * and a hint to run {@code --help}; a server that cannot start (address in use, unknown host)
 * gives status 1. Only an unexpected exception, which would be a bug, prints a stack trace.
 */
final class ErrorReporter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    private final PrintStream err;

    ErrorReporter(PrintStream err) {
        this.err = err;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        err.println("socketserver: " + describe(e));
        err.println("try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
        return Main.EXIT_USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            err.println("socketserver: " + oneLine(e));
        } else {
            err.print("socketserver: unexpected error: ");
            e.printStackTrace(err);
        }
        return Main.EXIT_FAILURE;
    }

    /** {@code invalid --listen 'foo': expected ...} for a value our converters refused; picocli's own message otherwise. */
    private static String describe(ParameterException e) {
        if (e.getArgSpec() instanceof OptionSpec option && e.getValue() != null && e.getCause() != null) {
            return "invalid " + option.longestName() + " '" + e.getValue() + "': " + oneLine(e.getCause());
        }
        return firstLine(e.getMessage());
    }

    /** The exception's message, or its type when it has none, on one line. */
    static String oneLine(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : firstLine(message);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).strip();
    }
}
