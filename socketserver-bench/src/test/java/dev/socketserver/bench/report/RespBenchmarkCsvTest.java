package dev.socketserver.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading redis-benchmark's --csv output, from a real run of redis-benchmark 7.0 committed beside the test. */
@Timeout(10)
class RespBenchmarkCsvTest {

    private static String resource(String name) throws IOException {
        try (InputStream in = RespBenchmarkCsvTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyTestOfARealRunIsReadWithItsLatencies() throws IOException {
        List<RedisBenchmarkCsv.Line> lines = RedisBenchmarkCsv.parse(resource("redis-benchmark-7.0-p16.csv"));

        assertThat(lines).extracting(RedisBenchmarkCsv.Line::test)
                .containsExactly("PING_MBULK", "SET", "GET", "INCR", "LPUSH", "LPOP", "MSET (10 keys)");
        var set = lines.get(1);
        assertThat(set.requestsPerSecond()).isEqualTo(571428.56);
        assertThat(set.averageMs()).isEqualTo(1.222);
        assertThat(set.p50Ms()).isEqualTo(1.111);
        assertThat(set.p95Ms()).isEqualTo(1.631);
        assertThat(set.p99Ms()).isEqualTo(4.559);
        assertThat(set.maxMs()).isEqualTo(8.487);
    }

    @Test
    void aTestIsFoundByTheNameThatSelectsIt() throws IOException {
        List<RedisBenchmarkCsv.Line> lines = RedisBenchmarkCsv.parse(resource("redis-benchmark-7.0-p16.csv"));

        assertThat(lines.stream().filter(l -> l.isTest("mset")).findFirst()).get()
                .extracting(RedisBenchmarkCsv.Line::requestsPerSecond).isEqualTo(33944.33);
        assertThat(lines.stream().filter(l -> l.isTest("ping_mbulk")).count()).isEqualTo(1);
        assertThat(lines.stream().filter(l -> l.isTest("ping")).count()).isZero();
        assertThat(lines.stream().filter(l -> l.isTest("lpop")).count()).isEqualTo(1);
    }

    @Test
    void linesThatAreNotCsvAreSkipped() {
        String output = """
                WARNING: Could not fetch server CONFIG
                "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
                Error from server: ERR unknown command 'lpop'
                "GET","63371.36","0.413","0.192","0.399","0.463","0.607","4.527"
                """;

        assertThat(RedisBenchmarkCsv.parse(output)).singleElement()
                .satisfies(l -> assertThat(l.p99Ms()).isEqualTo(0.607));
    }

    @Test
    void anOlderOutputWithoutHeaderOrLatenciesGivesTheRateAndNoLatency() {
        var line = RedisBenchmarkCsv.parse("\"SET\",\"65189.05\"\r\n").getFirst();

        assertThat(line.test()).isEqualTo("SET");
        assertThat(line.requestsPerSecond()).isEqualTo(65189.05);
        assertThat(line.p99Ms()).isNaN();
    }

    @Test
    void columnsAreFoundByTheirNamesAndQuotesInsideAFieldAreKept() {
        String output = """
                "rps","test","p99_latency_ms"
                "1000.5","SET ""x"", y","2.5"
                """;

        var line = RedisBenchmarkCsv.parse(output).getFirst();
        assertThat(line.test()).isEqualTo("SET \"x\", y");
        assertThat(line.requestsPerSecond()).isEqualTo(1000.5);
        assertThat(line.p99Ms()).isEqualTo(2.5);
        assertThat(line.p50Ms()).isNaN();
    }

    @Test
    void aFigureThatIsNotANumberIsAnError() {
        assertThatThrownBy(() -> RedisBenchmarkCsv.parse("\"SET\",\"-nan\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rps");
    }
}
