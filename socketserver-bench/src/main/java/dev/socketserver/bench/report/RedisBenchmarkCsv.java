package dev.socketserver.bench.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The output of {@code redis-benchmark --csv}: a header line, then one line per test, every field
 * in double quotes. Redis 7 writes
 *
 * <pre>
 * "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
 * "SET","65189.05","0.419","0.176","0.391","0.543","0.975","4.567"
 * </pre>
 *
 * Columns are found by their header names, so a version with fewer (Redis 6.0 wrote only test and
 * rps, and no header) gives NaN for the missing latencies. Lines that are not CSV, such as
 * {@code Error from server: ...} or warnings, are skipped.
 */
final class RedisBenchmarkCsv {
    private RedisBenchmarkCsv() {
    }

    /**
     * One test's figures.
     *
     * @param test the name redis-benchmark gives it, such as {@code SET} or {@code MSET (10 keys)}
     * @param requestsPerSecond requests per second
     * @param averageMs mean latency, milliseconds (NaN when not given, as are the others)
     * @param p50Ms median latency
     * @param p95Ms 95th percentile
     * @param p99Ms 99th percentile
     * @param maxMs the longest
     */
    record Line(String test, double requestsPerSecond, double averageMs, double p50Ms, double p95Ms, double p99Ms,
                double maxMs) {

        /** Whether this is the line of the test that {@code -t name} selects: {@code mset} is {@code MSET (10 keys)}. */
        boolean isTest(String name) {
            String first = test.strip().split("[ (]", 2)[0];
            return first.equalsIgnoreCase(name.strip());
        }
    }

    /**
     * The test lines of an output, in order.
     *
     * @throws IllegalArgumentException if a CSV line has no test name or a figure that is not a number
     */
    static List<Line> parse(String output) {
        Map<String, Integer> columns = new HashMap<>(Map.of("test", 0, "rps", 1));
        List<Line> lines = new ArrayList<>();
        for (String raw : output.split("\r?\n")) {
            String text = raw.strip();
            if (!text.startsWith("\"")) {
                continue;
            }
            List<String> fields = fields(text);
            if (fields.contains("test") && fields.contains("rps")) {   // the header
                columns.clear();
                for (int i = 0; i < fields.size(); i++) {
                    columns.put(fields.get(i), i);
                }
                continue;
            }
            String test = field(fields, columns, "test");
            if (test == null || test.isBlank()) {
                throw new IllegalArgumentException("a redis-benchmark line without a test name: " + text);
            }
            lines.add(new Line(test, number(fields, columns, "rps", text), number(fields, columns, "avg_latency_ms", text),
                    number(fields, columns, "p50_latency_ms", text), number(fields, columns, "p95_latency_ms", text),
                    number(fields, columns, "p99_latency_ms", text), number(fields, columns, "max_latency_ms", text)));
        }
        return lines;
    }

    /** The fields of one CSV line: quoted ({@code ""} is a quote inside) or bare, separated by commas. */
    private static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        var field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    private static String field(List<String> fields, Map<String, Integer> columns, String name) {
        Integer index = columns.get(name);
        return index == null || index >= fields.size() ? null : fields.get(index).strip();
    }

    private static double number(List<String> fields, Map<String, Integer> columns, String name, String line) {
        String text = field(fields, columns, name);
        if (text == null || text.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "redis-benchmark's %s is not a number in: %s", name, line), e);
        }
    }
}
