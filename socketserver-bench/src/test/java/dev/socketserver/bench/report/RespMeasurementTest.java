package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** What bench/run records of one redis-benchmark run, turned into a row of the results file. */
@Timeout(10)
class RespMeasurementTest {

    private static final String CSV = """
            "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
            "SET","500000.00","1.470","0.304","1.423","1.855","4.447","7.807"
            """;

    /** 2 s; 100 ticks a second; redis-benchmark 180 ticks, the server 150, the machine 350 in all. */
    private static String line(int exitCode, Path dir) {
        return String.join("\t", "async", "set", "16", "50", "3", "1000000", "2.0", "100", "180", "150", "350",
                Integer.toString(exitCode), dir.resolve("out").toString(), dir.resolve("err").toString());
    }

    @Test
    void aRunBecomesARowWithTheFiguresOfRedisBenchmarkAndTheProcessorUseOfEach(@TempDir Path dir) {
        ResultRow row = RespMeasurement.parse(line(0, dir)).toRow(CSV, "");

        assertThat(row.ok()).isTrue();
        assertThat(row.test()).isEqualTo("resp-set-p16");
        assertThat(row.server()).isEqualTo("async");
        assertThat(row.pipeline()).isEqualTo(16);
        assertThat(row.connections()).isEqualTo(50);
        assertThat(row.messages()).isEqualTo(1_000_000);
        assertThat(row.messagesPerSecond()).isEqualTo(500_000);
        assertThat(row.p50()).isCloseTo(1423, within(1e-6));
        assertThat(row.p99()).isCloseTo(4447, within(1e-6));
        assertThat(row.max()).isCloseTo(7807, within(1e-6));
        assertThat(row.generatorCpu()).isCloseTo(0.9, within(1e-9));
        assertThat(row.serverCpu()).isCloseTo(0.75, within(1e-9));
        assertThat(row.otherCpu()).isCloseTo(0.1, within(1e-9));
        assertThat(row.serverCpuMicrosPerMessage()).isCloseTo(1.5, within(1e-9));   // 1.5 s over a million requests
        assertThat(RespSection.cpuMicrosPerRequest(row)).isCloseTo(1.5, within(1e-9));
        assertThat(ResultRow.parse(row.toLine()).toLine()).isEqualTo(row.toLine());
    }

    @Test
    void aServerErrorFailsTheRowWithWhatRedisBenchmarkSaid(@TempDir Path dir) {
        String header = CSV.lines().findFirst().orElseThrow();
        ResultRow row = RespMeasurement.parse(line(1, dir))
                .toRow(header + "\n", "Error from server: ERR unknown command 'set', with args beginning with: \n");

        assertThat(row.ok()).isFalse();
        assertThat(row.test()).isEqualTo("resp-set-p16");
        assertThat(row.note()).isEqualTo("redis-benchmark exited with 1: Error from server: ERR unknown command 'set', with args beginning with:");
    }

    @Test
    void aRunKilledByTimeoutOrWithoutItsTestFails(@TempDir Path dir) {
        assertThat(RespMeasurement.parse(line(124, dir)).toRow("", "").note()).isEqualTo("redis-benchmark did not finish in time");
        String get = CSV.replace("\"SET\"", "\"GET\"");
        assertThat(RespMeasurement.parse(line(0, dir)).toRow(get, "").note()).isEqualTo("redis-benchmark printed no result for SET");
    }

    @Test
    void aMalformedLineIsRefused(@TempDir Path dir) {
        assertThatThrownBy(() -> RespMeasurement.parse("async\tset\t16")).hasMessageContaining("14 tab-separated fields");
        assertThatThrownBy(() -> RespMeasurement.parse(line(0, dir).replace("\t2.0\t", "\ttwo\t"))).hasMessageContaining("not a number");
    }

    @Test
    void theCommandAppendsARowPerLineToTheResultsFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("out"), CSV);
        Files.writeString(dir.resolve("err"), "");
        Path measurements = dir.resolve("measurements");
        Files.writeString(measurements, line(0, dir) + "\n" + line(0, dir).replaceFirst("^async", "redis-server") + "\n");
        Path results = dir.resolve("results.tsv");
        Files.writeString(results, "# date: 2026-12-05\n");

        RespMeasurement.main(new String[] {results.toString(), measurements.toString()});

        ResultsFile file = ResultsFile.read(results);
        assertThat(file.facts()).containsEntry("date", "2026-12-05");
        assertThat(file.rows()).extracting(ResultRow::server).containsExactly("async", "redis-server");
        assertThat(file.rows()).allSatisfy(r -> assertThat(r.messagesPerSecond()).isEqualTo(500_000));
    }
}
