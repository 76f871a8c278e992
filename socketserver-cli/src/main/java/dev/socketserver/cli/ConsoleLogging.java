package dev.socketserver.cli;

import java.time.Duration;
import java.util.logging.ConsoleHandler;
import java.util.logging.ErrorManager;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Makes the core's log records (through {@code System.Logger}, which defaults to
 * {@code java.util.logging}) read as one line of time and level followed by the message, on
 * standard error, instead of JUL's default of two lines per record; and writes them from one
 * thread through a {@link LinePrinter}, so that a standard error nobody reads (a full pipe) never
 * blocks the thread that logs, an event loop or the accept loop among them: records that do not
 * fit are dropped and counted.
 */
final class ConsoleLogging {
    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    // time, level, message, then the stack trace of a thrown exception (empty when there is none)
    private static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n";

    /** Where log records wait for standard error; null until {@link #configure()} replaced a console handler. */
    private static volatile LinePrinter printer;

    private ConsoleLogging() {
    }

    /** At exit: writes the log records still queued, waiting up to {@code timeout} for standard error to take them. */
    static void flush(Duration timeout) {
        LinePrinter queued = printer;
        if (queued != null) {
            queued.close(timeout);
        }
    }

    /**
     * Sets the format; must run before the first logger is created, since JUL reads it once. A
     * format given with {@code -Djava.util.logging.SimpleFormatter.format} wins. Then replaces the
     * root logger's console handler (JUL's, which writes in the logging thread) with one that
     * formats in the logging thread and queues the text for {@code System.err}, keeping its level
     * and formatter.
     *
     * <p>Then it formats a record, without printing it, rather than waiting for the first real
     * record. That record may well be "too many open files" from the accept loop, and the first
     * formatting opens a file (the time-zone database, for the timestamp): with no descriptor left
     * it would fail, and leave the time-zone classes unusable for the rest of the run.
     */
    static void configure() {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, FORMAT);
        }
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            if (handler instanceof ConsoleHandler console) {
                if (printer == null) {
                    printer = LinePrinter.start(System.err, "log", "log record", "log records");
                }
                root.removeHandler(console);
                root.addHandler(new Queued(printer, console.getLevel(), console.getFormatter()));
            }
        }
        for (Handler handler : root.getHandlers()) {
            Formatter formatter = handler.getFormatter();
            if (formatter != null) {
                formatter.format(new LogRecord(Level.WARNING, "start-up"));
            }
        }
    }

    /** A console handler that never blocks: it formats in the caller's thread and queues the text. */
    private static final class Queued extends Handler {
        private final LinePrinter printer;

        Queued(LinePrinter printer, Level level, Formatter formatter) {
            this.printer = printer;
            setLevel(level);
            setFormatter(formatter);
        }

        @Override
        public void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            String text;
            try {
                text = getFormatter().format(record);
            } catch (RuntimeException e) {
                reportError(null, e, ErrorManager.FORMAT_FAILURE);
                return;
            }
            printer.print(text);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
