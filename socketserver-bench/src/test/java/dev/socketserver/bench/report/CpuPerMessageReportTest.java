package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The server's processor time per message: read from the {@code server_cpu_us_per_msg} column, shown
 * in its own table with ratios to Netty epoll, in every measurement's row and in the chart; files
 * written before the column existed still render, with the figure from the server's cores over the
 * measured seconds. The C epoll peer is a row of its own and skips UDP.
 */
@Timeout(10)
class CpuPerMessageReportTest {

    private static ResultsFile fixture(String name) throws IOException, URISyntaxException {
        return ResultsFile.read(Path.of(CpuPerMessageReportTest.class.getResource(name).toURI()));
    }

    @Test
    void theNewColumnIsTheFigureOfTheCpuPerMessageTable() throws Exception {
        var report = new Report(fixture("results-with-cpu-per-message.tsv"), "chart.svg");

        String md = report.markdown();

        assertThat(md).startsWith("# Echo benchmark, 2026-12-06, test-2cpu, unpinned\n");
        assertThat(md).contains("## CPU per message");
        String cpu = md.substring(md.indexOf("## CPU per message"));
        cpu = cpu.substring(0, cpu.indexOf("\n## "));
        // the column, not server_cpu × seconds / messages (which would say 9.90 µs for Netty at 50 connections)
        assertThat(cpu).contains("| Netty 4.2 epoll | 24.0 µs (1.00×) | 8.40 µs (1.00×) | 10.0 µs (1.00×) |");
        assertThat(cpu).contains("| C epoll, one thread | 26.4 µs (1.10×) | 5.90 µs (0.70×) | – |");
        assertThat(cpu).contains("| **socketserver async** | 24.1 µs (1.00×) | 7.20 µs (0.86×) | 9.00 µs (0.90×) |");
        assertThat(cpu).contains("| **socketserver virtual** | 49.5 µs (2.06×) | 12.4 µs (1.48×) | failed |");
        // a saturated generator caps messages/s, not what the server paid per message
        assertThat(cpu).doesNotContain("†");
        assertThat(md).contains("| Netty 4.2 epoll | 40,000 (1.00×) | 100,000 (1.00×) † |");
        assertThat(md).contains("the C epoll echo serves TCP only, so it skips UDP");
        assertThat(md).contains("| tcp-50 | async | 110,000 | 7.04 | 100 µs | 200 µs | 300 µs | 400 µs | 0 | 0.99 | 0.85 | 0.01 | 7.20 µs |");
        assertThat(md).contains("- socketserver virtual, 1 conn: 2.06× the CPU per message of Netty epoll");
        assertThat(report.chart()).contains("server CPU time per message, µs");
    }

    @Test
    void aFileFromBeforeTheColumnStillRendersWithTheFigureFromTheServersCores() throws Exception {
        ResultsFile old = fixture("results-before-cpu-per-message.tsv");
        assertThat(old.rows()).extracting(ResultRow::serverCpuMicrosPerMessage).allMatch(v -> Double.isNaN(v));
        var report = new Report(old, "chart.svg");

        String md = report.markdown();

        // 0.985 cores × 6.014 s / 400,384 messages; 0.841 × 6.014 / 484,221; 0.983 × 6.013 / 428,882
        assertThat(Report.cpuMicrosPerMessage(report.row("tcp-50", "netty-epoll"))).isCloseTo(14.795, within(1e-3));
        assertThat(md).contains("| Netty 4.2 epoll | 24.4 µs (1.00×) | 14.8 µs (1.00×) |");
        assertThat(md).contains("| **socketserver async** | 12.9 µs (0.53×) | 10.4 µs (0.71×) |");
        assertThat(md).contains("| **socketserver virtual** |");
        assertThat(md).contains("13.8 µs (0.93×)");
        assertThat(md).doesNotContain("C epoll, one thread");
        assertThat(md).startsWith("# Echo benchmark, 2026-12-05, amd-epyc-2cpu\n");
    }

    @Test
    void aRowWithoutTheServersProcessorTimeShowsADash() {
        var unknown = new ResultRow("tcp-50", "async", "tcp", 50, 50, 64, 1, 6, 600_000, 100_000, 6.4,
                100, 200, 300, 400, 0, 0, 0.5, Double.NaN, 0, -1, -1, "ok", "", Double.NaN);
        var base = new ResultRow("tcp-50", "netty-epoll", "tcp", 50, 50, 64, 1, 6, 600_000, 100_000, 6.4,
                100, 200, 300, 400, 0, 0, 0.5, 0.9, 0, -1, -1, "ok", "", 9.0);
        var report = new Report(new ResultsFile(java.util.Map.of(), java.util.List.of(base, unknown)), "chart.svg");

        assertThat(Report.cpuMicrosPerMessage(unknown)).isNaN();
        assertThat(report.markdown()).contains("| **socketserver async** | – |");
    }
}
