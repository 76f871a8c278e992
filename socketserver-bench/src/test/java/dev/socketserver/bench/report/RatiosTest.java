package dev.socketserver.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Ratios to the baseline measured in the same run, and the results file they are computed from. */
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
                p99 / 2, p99, p99 * 2, p99 * 3, 0, 0, 0.5, 0.9, 0.0, -1, -1, "ok", "");
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

    @Test
    void aResultsFileRoundTripsItsFactsAndRows(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("run.tsv");
        Files.writeString(tsv, "# commit: abc123\n# core sharing: server on CPU 0\n");
        ResultRow measured = new ResultRow("tcp-10000", "virtual", "tcp", 10_000, 9_990, 64, 1, 6.001, 600_000,
                99_983.3, 6.399, 120.5, 900.25, 1500, 2500, 2, 0, 0.75, 0.99, 0.01, 100_000, 150_000, "ok", "first error");
        ResultsFile.append(tsv, measured);
        ResultsFile.append(tsv, ResultRow.failed("udp-50", "python", "udp", 50, 64, "the server did not start"));

        ResultsFile read = ResultsFile.read(tsv);

        var facts = new LinkedHashMap<String, String>();
        facts.put("commit", "abc123");
        facts.put("core sharing", "server on CPU 0");
        assertThat(read.facts()).containsExactlyEntriesOf(facts);
        assertThat(read.rows()).hasSize(2);
        ResultRow back = read.rows().getFirst();
        assertThat(back).usingRecursiveComparison().withComparatorForType(
                (a, b) -> Math.abs(a - b) < 1e-3 ? 0 : Double.compare(a, b), Double.class).isEqualTo(measured);
        assertThat(back.rssPerConnectionBytes()).isCloseTo(50_000 * 1024.0 / 9_990, within(1e-9));
        assertThat(read.rows().get(1).ok()).isFalse();
        assertThat(read.rows().get(1).p99()).isNaN();
        assertThat(Files.readAllLines(tsv)).filteredOn(ResultRow.COLUMNS::equals).hasSize(1);
    }
}
