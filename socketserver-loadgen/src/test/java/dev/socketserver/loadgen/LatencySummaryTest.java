package dev.socketserver.loadgen;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

/** Percentiles read from the histogram, and the rates derived from a result. */
@Timeout(10)
class LatencySummaryTest {

    @Test
    void percentilesOfOneToOneThousandMicroseconds() {
        var histogram = new Histogram(3);
        for (long micros = 1; micros <= 1000; micros++) {
            histogram.recordValue(micros * 1_000);   // nanoseconds
        }

        var s = LatencySummary.ofNanos(histogram);

        assertThat(s.count()).isEqualTo(1000);
        assertThat(s.p50()).isCloseTo(500, withinPercentage(0.2));
        assertThat(s.p99()).isCloseTo(990, withinPercentage(0.2));
        assertThat(s.p999()).isCloseTo(999, withinPercentage(0.2));
        assertThat(s.max()).isCloseTo(1000, withinPercentage(0.2));
        assertThat(s.mean()).isCloseTo(500.5, withinPercentage(0.2));
    }

    @Test
    void aTailShowsInTheHighPercentilesOnly() {
        var histogram = new Histogram(3);
        histogram.recordValueWithCount(100_000, 990);   // 100 µs
        histogram.recordValueWithCount(50_000_000, 10);   // 50 ms

        var s = LatencySummary.ofNanos(histogram);

        assertThat(s.p50()).isCloseTo(100, withinPercentage(0.2));
        assertThat(s.p99()).isCloseTo(100, withinPercentage(0.2));
        assertThat(s.p999()).isCloseTo(50_000, withinPercentage(0.2));
    }

    @Test
    void anEmptyHistogramSummarizesToZeros() {
        assertThat(LatencySummary.ofNanos(new Histogram(3))).isEqualTo(LatencySummary.EMPTY);
    }

    @Test
    void ratesAreMessagesOverTheMeasuredTime() {
        var options = LoadOptions.defaults(Target.parse("tcp://127.0.0.1:9000")).withSize(1000);
        var latency = new LatencySummary(50_000, 1, 2, 3, 4, 1.5);
        var result = new LoadResult(options, 50, Duration.ofSeconds(2).toNanos(), latency, 0, 0, java.util.List.of(), 0.5);

        assertThat(result.messages()).isEqualTo(50_000);
        assertThat(result.messagesPerSecond()).isCloseTo(25_000, within(1e-9));
        assertThat(result.megabytesPerSecond()).isCloseTo(25, within(1e-9));
    }
}
