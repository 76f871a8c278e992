package dev.socketserver.cli;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Makes the core's log records (through {@code System.Logger}, which defaults to
 * {@code java.util.logging}) read as one line of time and level followed by the message, on
 * standard error, instead of JUL's default of two lines per record.
 */
final class ConsoleLogging {
    private static final String FORMAT_PROPERTY = "java.util.logging.SimpleFormatter.format";
    // time, level, message, then the stack trace of a thrown exception (empty when there is none)
    private static final String FORMAT = "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n";

    private ConsoleLogging() {
    }

    /**
     * Sets the format; must run before the first logger is created, since JUL reads it once. A
     * format given with {@code -Djava.util.logging.SimpleFormatter.format} wins.
     *
     * <p>Then it creates JUL's console handler and formats a record with it, without printing it,
     * rather than waiting for the first real record. That record may well be "too many open files"
     * from the accept loop, and the first formatting opens a file (the time-zone database, for the
     * timestamp): with no descriptor left it would fail, and leave the time-zone classes unusable
     * for the rest of the run.
     */
    static void configure() {
        if (System.getProperty(FORMAT_PROPERTY) == null) {
            System.setProperty(FORMAT_PROPERTY, FORMAT);
        }
        for (Handler handler : Logger.getLogger("").getHandlers()) {
            Formatter formatter = handler.getFormatter();
            if (formatter != null) {
                formatter.format(new LogRecord(Level.WARNING, "start-up"));
            }
        }
    }
}
