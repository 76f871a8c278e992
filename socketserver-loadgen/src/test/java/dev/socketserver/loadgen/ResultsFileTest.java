package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The results file the load generator appends to and the benchmark report reads. */
@Timeout(10)
class ResultsFileTest {

    @Test
    void aResultsFileRoundTripsItsFactsAndRows(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("run.tsv");
        Files.writeString(tsv, "# commit: abc123\n# core sharing: server on CPU 0\n");
        ResultRow measured = new ResultRow("tcp-10000", "virtual", "tcp", 10_000, 9_990, 64, 1, 6.001, 600_000,
                99_983.3, 6.399, 120.5, 900.25, 1500, 2500, 2, 0, 0.75, 0.99, 0.01, 100_000, 150_000, "ok", "first error", 9.9);
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

    @Test
    void aFileWrittenBeforeTheCpuPerMessageColumnStillReads(@TempDir Path dir) throws IOException {
        Path tsv = dir.resolve("old.tsv");
        String oldHeader = ResultRow.COLUMNS.substring(0, ResultRow.COLUMNS.lastIndexOf('\t'));
        Files.writeString(tsv, "# commit: 840230f\n" + oldHeader + "\n"
                + "tcp-50\tasync\ttcp\t50\t50\t64\t1\t6.014\t484221\t80519.639\t5.153\t649.727\t937.983\t4943.871"
                + "\t102760.447\t0\t0\t0.966\t0.841\t0.012\t80328\t-1\tok\t\n");

        ResultsFile read = ResultsFile.read(tsv);

        assertThat(read.rows()).hasSize(1);
        ResultRow row = read.rows().getFirst();
        assertThat(row.messages()).isEqualTo(484_221);
        assertThat(row.serverCpu()).isEqualTo(0.841);
        assertThat(row.note()).isEmpty();
        assertThat(row.serverCpuMicrosPerMessage()).isNaN();
    }

    @Test
    void aLineWithTooFewOrTooManyFieldsIsRefused() {
        String line = ResultRow.failed("tcp-1", "async", "tcp", 1, 64, "x").toLine();

        assertThat(ResultRow.parse(line).status()).isEqualTo("failed");
        assertThatThrownBy(() -> ResultRow.parse(line + "\textra")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("25 tab-separated fields (24 in older files), got 26");
        assertThatThrownBy(() -> ResultRow.parse(line.substring(0, line.indexOf('\t'))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
