package dev.socketserver.loadgen;

import org.HdrHistogram.AbstractHistogram;

/**
 * The latencies of a run, in microseconds, read from an HdrHistogram of nanoseconds. Percentiles
 * follow HdrHistogram's definition: the value at or below which that share of the recorded values
 * fall, to the histogram's precision (3 significant digits).
 *
 * @param count how many latencies were recorded
 * @param p50 median
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max the largest
 * @param mean the arithmetic mean
 */
public record LatencySummary(long count, double p50, double p99, double p999, double max, double mean) {

    /** The summary of nothing: every figure 0. */
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0);

    /** Summarizes a histogram whose values are nanoseconds. */
    public static LatencySummary ofNanos(AbstractHistogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return EMPTY;
        }
        return new LatencySummary(histogram.getTotalCount(),
                micros(histogram.getValueAtPercentile(50.0)),
                micros(histogram.getValueAtPercentile(99.0)),
                micros(histogram.getValueAtPercentile(99.9)),
                micros(histogram.getMaxValue()),
                histogram.getMean() / 1_000.0);
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }
}
