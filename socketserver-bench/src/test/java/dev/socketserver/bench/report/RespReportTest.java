package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The RESP section of the report: ratios to Redis per test and pipeline depth, kept apart from the echo tables. */
@Timeout(10)
class RespReportTest {

    /** 3 s of one redis-benchmark run: p99 in µs, the server's processor use in cores. */
    private static ResultRow resp(String test, int pipeline, String server, double rate, double p99, double serverCpu, double generatorCpu) {
        return new ResultRow("resp-" + test + "-p" + pipeline, server, "tcp", 50, 50, 3, pipeline, 3, (long) (rate * 3), rate,
                Double.NaN, p99 / 2, p99, Double.NaN, p99 * 2, 0, -1, generatorCpu, serverCpu, 0.05, -1, -1, "ok", "", Double.NaN);
    }

    private static ResultRow echo(String test, String server, double rate) {
        return new ResultRow(test, server, "tcp", 50, 50, 64, 1, 6, (long) (rate * 6), rate, rate * 64 / 1e6,
                100, 200, 300, 400, 0, 0, 0.5, 0.9, 0, -1, -1, "ok", "", Double.NaN);
    }

    private static List<ResultRow> respRows() {
        return List.of(
                resp("set", 16, "redis-server", 500_000, 2_000, 1.0, 0.99),
                resp("set", 16, "async", 550_000, 1_800, 0.8, 0.99),
                resp("set", 16, "virtual", 400_000, 3_000, 1.0, 0.9),
                resp("set", 1, "redis-server", 60_000, 900, 0.6, 0.7),
                resp("set", 1, "async", 45_000, 1_200, 0.9, 0.6),
                resp("get", 1, "redis-server", 60_000, 900, 0.6, 0.7),
                resp("get", 1, "async", 50_000, 1_000, 0.9, 0.6),
                ResultRow.parse(String.join("\t", "resp-get-p1", "virtual", "tcp", "50", "0", "3", "1", "", "0", "", "", "",
                        "", "", "", "-1", "-1", "", "", "", "-1", "-1", "failed", "redis-benchmark exited with 1: Error from server: ERR unknown command 'get'")));
    }

    @Test
    void eachTestAndDepthIsARowWithRatiosToRedis() {
        var report = new Report(new ResultsFile(Map.of(), respRows()), "chart.svg");
        String md = report.markdown();

        assertThat(md).startsWith("# RESP benchmark, ");
        assertThat(md).contains("| test | -P | Redis (redis-server) | **socketserver redis, async** | **socketserver redis, virtual** |");
        assertThat(md).contains("| SET | 1 | 60,000 (1.00×) | 45,000 (0.75×) | – |");
        assertThat(md).contains("| GET | 1 | 60,000 (1.00×) | 50,000 (0.83×) | failed |");
        assertThat(md).contains("| SET | 16 | 500,000 (1.00×) † | 550,000 (1.10×) † | 400,000 (0.80×) |");
        assertThat(md).contains("| SET | 16 | 2.00 ms (1.00×) | 1.80 ms (0.90×) | 3.00 ms (1.50×) |");
        // the processor time per request: async at 550,000/s on 0.8 cores is 1.45 µs, Redis 2.00 µs
        assertThat(md).contains("| SET | 16 | 2.00 µs (1.00×) | 1.45 µs (0.73×) | 2.50 µs (1.25×) |");
        assertThat(md.indexOf("| SET | 1 |")).isLessThan(md.indexOf("| GET | 1 |")).isLessThan(md.indexOf("| SET | 16 |"));
        assertThat(md).contains("socketserver redis, virtual, GET -P 1: failed: redis-benchmark exited with 1: Error from server: ERR unknown command 'get'");
        assertThat(md).contains("†: redis-benchmark was busy");
    }

    @Test
    void theGoalsOfTheIssueAreCheckedForTheEventLoop() {
        String md = new Report(new ResultsFile(Map.of(), respRows()), "chart.svg").markdown();

        assertThat(md).contains("- SET `-P 16`: 1.10× (goal ≥ 1.0×): met");
        assertThat(md).contains("- GET `-P 16`: not measured (goal ≥ 1.0×)");
        assertThat(md).contains("- SET `-P 1`: 0.75× (goal ≥ 0.8×): not met");
        assertThat(md).contains("- GET `-P 1`: 0.83× (goal ≥ 0.8×): met");
    }

    @Test
    void echoTablesChartAndComparisonIgnoreTheRespRows() {
        List<ResultRow> rows = new java.util.ArrayList<>(List.of(echo("tcp-50", "netty-epoll", 100_000), echo("tcp-50", "async", 90_000)));
        rows.addAll(respRows());
        var report = new Report(new ResultsFile(Map.of("generator threads", "1"), rows), "chart.svg");
        String md = report.markdown();

        assertThat(md).startsWith("# Echo benchmark, ");
        assertThat(md).contains("| server | 50 conns |\n");
        assertThat(md).contains("| **socketserver async** | 90,000 (0.90×) |\n");
        String echoTables = md.substring(md.indexOf("## Messages per second"), md.indexOf("## RESP"));
        assertThat(echoTables).doesNotContain("redis").doesNotContain("resp-").doesNotContain("SET");
        assertThat(md.indexOf("## RESP")).isGreaterThan(md.indexOf("## Every measurement"));
        assertThat(report.chart()).contains("<svg").doesNotContain("resp-").doesNotContain("redis");
        assertThat(report.ratioSummary()).contains("tcp-50").contains("RESP, ratio to Redis").contains("SET -P 16");
        assertThat(new Compare(new ResultsFile(Map.of(), rows), new ResultsFile(Map.of(), rows)).moves())
                .extracting(Compare.Moved::test).containsExactly("tcp-50");
    }

    @Test
    void aRunWithoutTheToolsSaysTheSectionWasSkipped() {
        var facts = Map.of(RespSection.SKIPPED_FACT, "redis-tools/redis-server not installed");
        var report = new Report(new ResultsFile(facts, List.of(echo("tcp-50", "netty-epoll", 100_000))), "chart.svg");

        assertThat(report.markdown()).contains("RESP section skipped: redis-tools/redis-server not installed.");
        assertThat(report.ratioSummary()).contains("RESP section skipped: redis-tools/redis-server not installed");
        assertThat(new Report(new ResultsFile(facts, List.of()), "chart.svg").markdown())
                .contains("RESP section skipped: redis-tools/redis-server not installed.");
    }

    @Test
    void aRespRunAloneHasNoChartButAChartOfItDoesNotBreak() {
        var report = new Report(new ResultsFile(Map.of(), respRows()), "chart.svg");

        assertThat(report.hasEcho()).isFalse();
        assertThat(report.markdown()).doesNotContain("chart.svg").doesNotContain("## Messages per second");
        assertThat(report.chart()).contains("no data");
    }
}
