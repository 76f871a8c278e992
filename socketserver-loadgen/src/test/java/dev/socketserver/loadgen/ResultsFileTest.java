package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The results file the load generator appends to and the benchmark report reads. */
@Timeout(10)
class ResultsFileTest {

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
