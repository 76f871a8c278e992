package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Ratios to the baseline measured in the same run. */
@Timeout(10)
class RatiosTest {

    @Test
    void aRatioIsTheValueOverTheBaseline() {
        assertThat(Ratios.ratio(50, 200)).isEqualTo(0.25);
        assertThat(Ratios.ratio(300, 200)).isEqualTo(1.5);
        assertThat(Ratios.ratio(0, 200)).isZero();
    }

    @Test
    void aRatioWithoutAUsableBaselineOrValueIsUnknown() {
        assertThat(Ratios.ratio(1, 0)).isNaN();
        assertThat(Ratios.ratio(1, -3)).isNaN();
        assertThat(Ratios.ratio(Double.NaN, 2)).isNaN();
        assertThat(Ratios.ratio(2, Double.NaN)).isNaN();
        assertThat(Ratios.ratio(-1, 2)).isNaN();
    }

    @Test
    void ratiosPrintWithTwoDecimalsBelowTen() {
        assertThat(Ratios.format(0.8234)).isEqualTo("0.82×");
        assertThat(Ratios.format(1)).isEqualTo("1.00×");
        assertThat(Ratios.format(23.4)).isEqualTo("23×");
        assertThat(Ratios.format(Double.NaN)).isEqualTo("–");
    }

    private static ResultRow row(String test, String server, double rate, double p99) {
        return new ResultRow(test, server, "tcp", 50, 50, 64, 1, 5, (long) (rate * 5), rate, rate * 64 / 1e6,
                p99 / 2, p99, p99 * 2, p99 * 3, 0, 0, 0.5, 0.9, 0.0, -1, -1, "ok", "", Double.NaN);
    }

    @Test
    void theReportTakesEveryRatioToNettyEpollInTheSameTest() {
        var file = new ResultsFile(Map.of(), List.of(
                row("tcp-50", "netty-epoll", 100_000, 400),
                row("tcp-50", "async", 80_000, 500),
                row("tcp-1", "netty-epoll", 20_000, 60),
                row("tcp-1", "async", 30_000, 45)));
        var report = new Report(file, "chart.svg");

        assertThat(report.ratio("tcp-50", "async", ResultRow::messagesPerSecond)).isCloseTo(0.8, within(1e-12));
        assertThat(report.ratio("tcp-50", "async", ResultRow::p99)).isCloseTo(1.25, within(1e-12));
        assertThat(report.ratio("tcp-1", "async", ResultRow::messagesPerSecond)).isCloseTo(1.5, within(1e-12));
        assertThat(report.ratio("tcp-1", "netty-epoll", ResultRow::p99)).isEqualTo(1.0);
        assertThat(report.markdown()).contains("80,000 (0.80×)", "30,000 (1.50×)");
    }

    @Test
    void withoutABaselineOrAfterAFailureTheRatioIsUnknown() {
        var file = new ResultsFile(Map.of(), List.of(
                row("tcp-50", "async", 80_000, 500),
                ResultRow.failed("tcp-1", "netty-epoll", "tcp", 1, 64, "did not start"),
                row("tcp-1", "async", 30_000, 45)));
        var report = new Report(file, "chart.svg");

        assertThat(report.ratio("tcp-50", "async", ResultRow::messagesPerSecond)).isNaN();
        assertThat(report.ratio("tcp-1", "async", ResultRow::messagesPerSecond)).isNaN();
        assertThat(report.markdown()).contains("failed", "did not start");
    }
}
