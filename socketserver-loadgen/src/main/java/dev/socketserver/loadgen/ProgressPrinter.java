package dev.socketserver.loadgen;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a run's progress: on a terminal one line rewritten in place, otherwise one line each
 * second (for logs). Runs in the thread that runs the {@link LoadGenerator}.
 */
final class ProgressPrinter implements LoadGenerator.Listener {
    private final PrintStream out;
    private final boolean terminal;
    private int lastLength;

    ProgressPrinter(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Whether standard output and input are a terminal, as far as the JDK can tell. */
    static boolean onTerminal() {
        var console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void progress(LoadGenerator.Progress p) {
        String line = format(p);
        if (terminal) {
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the line being rewritten, before the summary. */
    void finish() {
        if (terminal && lastLength > 0) {
            out.println();
            out.flush();
        }
    }

    static String format(LoadGenerator.Progress p) {
        return switch (p.phase()) {
            case CONNECT -> String.format(Locale.ROOT, "connecting %,d/%,d open  %s  errors %,d",
                    p.connected(), p.connections(), seconds(p.elapsed()), p.errors());
            case IDLE -> String.format(Locale.ROOT, "idle       %,d/%,d open  %s/%s",
                    p.connected(), p.connections(), seconds(p.elapsed()), seconds(p.length()));
            case WARMUP, MEASURE -> String.format(Locale.ROOT, "%-10s %s/%s  %,.0f msg/s  p99 %s  errors %,d  open %,d",
                    p.phase() == LoadGenerator.Phase.WARMUP ? "warm-up" : "measuring",
                    seconds(p.elapsed()), seconds(p.length()), p.messagesPerSecond(), micros(p.p99Micros()),
                    p.errors(), p.connected());
        };
    }

    private static String seconds(Duration d) {
        return Math.round(d.toMillis() / 1000.0) + "s";
    }

    static String micros(double micros) {
        if (Double.isNaN(micros)) {
            return "-";
        }
        return micros >= 10_000 ? String.format(Locale.ROOT, "%,.1f ms", micros / 1000) : String.format(Locale.ROOT, "%,.0f µs", micros);
    }
}
