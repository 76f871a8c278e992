package dev.socketserver.bench.report;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One test of the RESP section: a redis-benchmark test ({@code -t NAME}) at a pipeline depth
 * ({@code -P N}). In a results file its rows have the test id {@code resp-NAME-pN}, such as
 * {@code resp-set-p16}, which keeps them apart from the echo tests.
 *
 * @param name the redis-benchmark test name, lower case: {@code ping_mbulk}, {@code set}, {@code mset}
 * @param pipeline requests in flight per connection
 */
record RespTest(String name, int pipeline) {
    /** The prefix of every RESP test id. */
    static final String PREFIX = "resp-";

    /** The tests bench/run measures, in the order of the report. */
    static final List<String> NAMES = List.of("ping_mbulk", "set", "get", "incr", "lpush", "lpop", "mset");

    private static final Pattern ID = Pattern.compile("resp-([a-z0-9_]+)-p([0-9]{1,4})");

    RespTest {
        name = name.strip().toLowerCase(Locale.ROOT);
        if (!name.matches("[a-z0-9_]+") || pipeline < 1) {
            throw new IllegalArgumentException("not a RESP test: " + name + " with pipeline " + pipeline);
        }
    }

    /** The test of a results-file test id, or empty if the id is not a RESP test's. */
    static Optional<RespTest> of(String id) {
        Matcher m = ID.matcher(id);
        return m.matches() ? Optional.of(new RespTest(m.group(1), Integer.parseInt(m.group(2)))) : Optional.empty();
    }

    /** Whether a results-file test id is a RESP test's. */
    static boolean isResp(String id) {
        return id.startsWith(PREFIX) && ID.matcher(id).matches();
    }

    /** The id in a results file. */
    String id() {
        return PREFIX + name + "-p" + pipeline;
    }

    /** The name as redis-benchmark prints it: {@code SET}, {@code MSET (10 keys)}. */
    String title() {
        return name.equals("mset") ? "MSET (10 keys)" : name.toUpperCase(Locale.ROOT);
    }

    /** The order of the report: known tests first, in {@link #NAMES} order. */
    int rank() {
        int i = NAMES.indexOf(name);
        return i < 0 ? NAMES.size() : i;
    }
}
