package dev.socketserver.bench.report;

import java.util.Locale;

/**
 * Figures as ratios to a baseline measured in the same run (Netty on epoll in the report).
 * Absolute numbers move with the machine and whatever else runs on it; ratios taken within one
 * run are what can be compared from run to run.
 */
public final class Ratios {
    private Ratios() {
    }

    /**
     * {@code value / baseline}; NaN when either is unknown (NaN), the value is negative, or the
     * baseline is not positive.
     */
    public static double ratio(double value, double baseline) {
        if (Double.isNaN(value) || Double.isNaN(baseline) || value < 0 || baseline <= 0) {
            return Double.NaN;
        }
        return value / baseline;
    }

    /** A ratio as the report prints it: {@code 0.82×}, {@code 12×} above 10, {@code –} when unknown. */
    public static String format(double ratio) {
        if (Double.isNaN(ratio)) {
            return "–";
        }
        if (ratio >= 10) {
            return String.format(Locale.ROOT, "%.0f×", ratio);
        }
        return String.format(Locale.ROOT, "%.2f×", ratio);
    }
}
