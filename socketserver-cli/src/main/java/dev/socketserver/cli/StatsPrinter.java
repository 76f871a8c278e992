package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.Server;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code --stats}: prints the server's counters to standard error at a fixed interval, from a
 * daemon thread, as {@code socketserver stats: active 3, accepted 120, ...}. The supervisor of
 * worker processes accepts nothing and prints nothing; each worker prints its own line, tagged
 * with its number.
 */
final class StatsPrinter {
    private StatsPrinter() {
    }

    static void start(Server server, Duration interval, PrintStream err) {
        String worker = System.getenv(Concurrency.WORKER_ENVIRONMENT_VARIABLE);
        String prefix = worker == null ? "socketserver stats: " : "socketserver stats (worker " + worker + "): ";
        Thread.ofPlatform().name("socketserver-stats").daemon().start(() -> {
            long next = System.nanoTime() + interval.toNanos();
            while (true) {
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval.toNanos();
                err.println(prefix + server.stats().toLine());
            }
        });
    }
}
