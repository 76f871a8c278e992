package dev.socketserver.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counts events of one kind and logs at most one line per interval, so a flood of bad clients
 * cannot flood the log. The line says how many were not logged since the last one.
 *
 * <p>The events it logs often mean the process is out of descriptors, and logging may need one
 * too (a log file, a class file, the time-zone data a formatter reads on its first record): a
 * logger that fails is ignored, except for a {@link VirtualMachineError}, so the event is counted
 * and serving goes on.
 */
public final class RateLimitedLog {
    private final System.Logger logger;
    private final long intervalNanos;
    private final LongAdder count = new LongAdder();
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(System.Logger logger, Duration interval) {
        this.logger = logger;
        this.intervalNanos = interval.toNanos();
    }

    /** Counts one event and logs it unless a line was logged within the interval. */
    public void log(Level level, Supplier<String> message) {
        count.increment();
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= intervalNanos && lastLogged.compareAndSet(last, now)) {
            long skipped = suppressed.getAndSet(0);
            try {
                if (logger.isLoggable(level)) {
                    logger.log(level, message.get() + (skipped > 0 ? " (" + skipped + " more like it not logged)" : ""));
                }
            } catch (VirtualMachineError fatal) {
                throw fatal;
            } catch (RuntimeException | Error loggingFailed) {
                // counted above; the caller goes on serving
            }
        } else {
            suppressed.incrementAndGet();
        }
    }

    /** Events counted so far. */
    public long count() {
        return count.sum();
    }
}
