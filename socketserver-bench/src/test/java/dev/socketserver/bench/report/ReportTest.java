package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The report's tables: the pipelined test has its own column, with ratios to Netty epoll in that test. */
@Timeout(10)
class ReportTest {

    private static ResultRow row(String test, String server, int pipeline, double messagesPerSecond, double generatorCpu) {
        return new ResultRow(test, server, "tcp", 50, 50, 64, pipeline, 6, (long) (messagesPerSecond * 6), messagesPerSecond,
                messagesPerSecond * 64 / 1e6, 100, 200, 300, 400, 0, 0, generatorCpu, 0.9, 0, -1, -1, "ok", "", Double.NaN);
    }

    @Test
    void thePipelinedTestIsAColumnOfItsOwnWithItsOwnRatios() {
        var results = new ResultsFile(Map.of("generator threads", "1"), List.of(
                row("tcp-50", "netty-epoll", 1, 100_000, 0.99),
                row("tcp-50", "async", 1, 100_000, 0.99),
                row("tcp-50-p16", "netty-epoll", 16, 1_000_000, 0.90),
                row("tcp-50-p16", "async", 16, 1_200_000, 0.90)));

        String md = new Report(results, "chart.svg").markdown();

        assertThat(md).contains("| server | 50 conns | 50 conns, 16 in flight |");
        assertThat(md).contains("| **socketserver async** | 100,000 (1.00×) † | 1,200,000 (1.20×) |");
    }
}
