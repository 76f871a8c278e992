package dev.socketserver.internal;

import org.junit.jupiter.api.Test;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A rate-limited log counts every event, logs one line per interval, and survives a logger that fails. */
class RateLimitedLogTest {

    @Test
    void aLoggerThatFailsIsIgnoredAndTheEventStillCounted() {
        var log = new RateLimitedLog(new FailingLogger(new IllegalStateException("no descriptor for the log file")), Duration.ZERO);
        log.log(Level.WARNING, () -> "accept failed: Too many open files");
        log.log(Level.WARNING, () -> "accept failed: Too many open files");
        assertThat(log.count()).isEqualTo(2);
    }

    @Test
    void aVirtualMachineErrorFromTheLoggerIsNotSwallowed() {
        var log = new RateLimitedLog(new FailingLogger(new OutOfMemoryError("Java heap space")), Duration.ZERO);
        assertThatThrownBy(() -> log.log(Level.WARNING, () -> "x")).isInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void atMostOneLineAnIntervalAndTheNextSaysHowManyWereNotLogged() {
        var logger = new CountingLogger();
        var log = new RateLimitedLog(logger, Duration.ofHours(1));
        for (int i = 0; i < 20; i++) {
            log.log(Level.WARNING, () -> "refused");
        }
        assertThat(logger.lines.get()).isEqualTo(1);
        assertThat(log.count()).isEqualTo(20);
    }

    private static class CountingLogger implements System.Logger {
        final AtomicInteger lines = new AtomicInteger();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.incrementAndGet();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.incrementAndGet();
        }
    }

    private static final class FailingLogger extends CountingLogger {
        private final Throwable failure;

        FailingLogger(Throwable failure) {
            this.failure = failure;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            throwIt();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            throwIt();
        }

        private void throwIt() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            throw (Error) failure;
        }
    }
}
