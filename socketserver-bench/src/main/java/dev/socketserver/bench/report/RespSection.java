package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The RESP part of a report: {@code redis-benchmark} against a real {@code redis-server} and our
 * {@code socketserver redis} in each concurrency model, per test and pipeline depth; requests/s, p99
 * latency and the server's processor time per request, each also as a ratio to Redis measured in
 * the same run; the goals of issue 14; and every measurement. Its rows are those of a results
 * file whose test ids are {@link RespTest}'s.
 */
final class RespSection {
    /** The server every RESP ratio is taken to. */
    static final String BASELINE = "redis-server";
    /** The fact bench/run writes when it could not run the section, saying why. */
    static final String SKIPPED_FACT = "RESP section skipped";
    /** redis-benchmark runs on one thread: busy this share of the time, it limited the rate too. */
    static final double SATURATED = 0.95;

    /** The goal of issue 14 for the event loop: at least this share of Redis's requests/s. */
    record Goal(String test, int pipeline, double ratio) {
    }

    static final List<Goal> GOALS = List.of(new Goal("set", 16, 1.0), new Goal("get", 16, 1.0),
            new Goal("set", 1, 0.8), new Goal("get", 1, 0.8));

    private static final List<Report.Server> SERVERS = List.of(
            new Report.Server(BASELINE, "Redis (redis-server)", false),
            new Report.Server("async", "socketserver redis, async", true),
            new Report.Server("virtual", "socketserver redis, virtual", true));

    private final Map<String, String> facts;
    private final Map<RespTest, Map<String, ResultRow>> rows = new LinkedHashMap<>();   // test -> server -> row
    private final List<Report.Server> servers = new ArrayList<>();

    RespSection(Map<String, String> facts, List<ResultRow> respRows) {
        this.facts = facts;
        Set<String> ids = new LinkedHashSet<>();
        List<RespTest> tests = new ArrayList<>();
        for (ResultRow row : respRows) {
            RespTest test = RespTest.of(row.test()).orElseThrow(() -> new IllegalArgumentException("not a RESP row: " + row.test()));
            if (!tests.contains(test)) {
                tests.add(test);
            }
            ids.add(row.server());
        }
        tests.sort(Comparator.comparingInt(RespTest::pipeline).thenComparingInt(RespTest::rank));
        for (RespTest test : tests) {
            rows.put(test, new LinkedHashMap<>());
        }
        for (ResultRow row : respRows) {
            rows.get(RespTest.of(row.test()).orElseThrow()).put(row.server(), row);   // the last one wins
        }
        for (Report.Server s : SERVERS) {
            if (ids.remove(s.id())) {
                servers.add(s);
            }
        }
        for (String other : ids) {
            servers.add(new Report.Server(other, other, false));
        }
    }

    /** Whether there is anything to show: rows, or the reason there are none. */
    boolean present() {
        return !rows.isEmpty() || facts.containsKey(SKIPPED_FACT);
    }

    ResultRow row(RespTest test, String server) {
        return rows.getOrDefault(test, Map.of()).get(server);
    }

    /** A figure of a server's row as a ratio to Redis's in the same test; NaN if either is missing or failed. */
    double ratio(RespTest test, String server, ToDoubleFunction<ResultRow> figure) {
        ResultRow row = row(test, server);
        ResultRow base = row(test, BASELINE);
        if (!Report.usable(row) || !Report.usable(base)) {
            return Double.NaN;
        }
        return Ratios.ratio(figure.applyAsDouble(row), figure.applyAsDouble(base));
    }

    /** The server's processor time per request, microseconds; NaN when not measured. */
    static double cpuMicrosPerRequest(ResultRow r) {
        return Report.cpuMicrosPerMessage(r);
    }

    static boolean saturated(ResultRow r) {
        return r.ok() && !Double.isNaN(r.generatorCpu()) && r.generatorCpu() >= SATURATED;
    }

    /** The section as Markdown. */
    void render(StringBuilder md) {
        md.append("## RESP: redis-benchmark against Redis and socketserver redis\n\n");
        String skipped = facts.get(SKIPPED_FACT);
        if (skipped != null) {
            md.append("RESP section skipped: ").append(skipped).append(".\n\n");
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("""
                `redis-benchmark` (one thread, 50 connections, random keys) against a real `redis-server` \
                (persistence off) and against `socketserver redis` in each concurrency model, one server at a \
                time with the same processor pinning as the echo tests. `-P 16` keeps 16 requests in flight \
                on each connection. **Ratios are to Redis measured in the same run.**

                """);
        goals(md);
        md.append("### Requests per second\n\n");
        table(md, ResultRow::messagesPerSecond, r -> String.format(Locale.ROOT, "%,.0f", r.messagesPerSecond()), true);
        md.append("### p99 latency\n\nredis-benchmark's 99th percentile: from sending a request to its reply.\n\n");
        table(md, ResultRow::p99, r -> MarkdownPage.latency(r.p99()), false);
        if (rows.values().stream().flatMap(m -> m.values().stream()).anyMatch(r -> !Double.isNaN(cpuMicrosPerRequest(r)))) {
            md.append("### Server processor time per request\n\n")
                    .append("The server's user and system time (`/proc/PID/stat`) over the run, divided by its requests: "
                            + "unlike requests/s, not capped by redis-benchmark.\n\n");
            table(md, RespSection::cpuMicrosPerRequest, r -> MarkdownPage.micros(cpuMicrosPerRequest(r)), false);
        }
        notes(md);
        raw(md);
    }

    private void goals(StringBuilder md) {
        md.append("Goals (issue 14): the event loop (`async`) at least 1.0× Redis's requests/s on SET and GET with "
                + "`-P 16`, and 0.8× with `-P 1`.\n\n");
        for (Goal goal : GOALS) {
            RespTest test = new RespTest(goal.test(), goal.pipeline());
            double ratio = ratio(test, "async", ResultRow::messagesPerSecond);
            md.append(String.format(Locale.ROOT, "- %s `-P %d`: %s (goal ≥ %.1f×)%s%n", test.title(), goal.pipeline(),
                    Double.isNaN(ratio) ? "not measured" : Ratios.format(ratio),
                    goal.ratio(), Double.isNaN(ratio) ? "" : ratio >= goal.ratio() ? ": met" : ": not met"));
        }
        md.append('\n');
    }

    private void table(StringBuilder md, ToDoubleFunction<ResultRow> figure, Function<ResultRow, String> cell, boolean markSaturated) {
        md.append("| test | -P |");
        for (Report.Server s : servers) {
            md.append(' ').append(s.ours() ? "**" + s.title() + "**" : s.title()).append(" |");
        }
        md.append("\n|---|---:|").append("---:|".repeat(servers.size())).append('\n');
        for (RespTest test : rows.keySet()) {
            md.append("| ").append(test.title()).append(" | ").append(test.pipeline()).append(" |");
            for (Report.Server s : servers) {
                ResultRow r = row(test, s.id());
                md.append(' ');
                if (r == null) {
                    md.append("–");
                } else if (!r.ok()) {
                    md.append("failed");
                } else if (Double.isNaN(figure.applyAsDouble(r))) {
                    md.append("–");
                } else {
                    md.append(cell.apply(r)).append(" (").append(Ratios.format(ratio(test, s.id(), figure))).append(')');
                    if (markSaturated && saturated(r)) {
                        md.append(" †");
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
        if (markSaturated && rows.values().stream().flatMap(m -> m.values().stream()).anyMatch(RespSection::saturated)) {
            md.append("†: redis-benchmark was busy at least ").append(Math.round(SATURATED * 100))
                    .append("% of the time: it limited the rate too, so the server may be faster than shown "
                            + "(its processor time per request below is not capped).\n\n");
        }
    }

    /** Failures and measurements other work disturbed. */
    private void notes(StringBuilder md) {
        List<String> notes = new ArrayList<>();
        for (var test : rows.entrySet()) {
            for (ResultRow r : test.getValue().values()) {
                String who = title(r.server()) + ", " + test.getKey().title() + " -P " + test.getKey().pipeline();
                if (!r.ok()) {
                    notes.add(who + ": failed: " + r.note());
                } else if (r.otherCpu() > Report.DISTURBED_CPU) {
                    notes.add(String.format(Locale.ROOT, "%s: other work on the machine used %.2f cores while measuring", who, r.otherCpu()));
                }
            }
        }
        if (!notes.isEmpty()) {
            md.append("Failures and disturbances:\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
            md.append('\n');
        }
    }

    private void raw(StringBuilder md) {
        md.append("### Every RESP measurement\n\n")
                .append("`redis-benchmark`, `server` and `other`: processor use while measuring, in cores.\n\n")
                .append("| test | -P | server | requests | req/s | p50 | p99 | max | redis-benchmark | server | other | server CPU/request |\n")
                .append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var test : rows.entrySet()) {
            for (Report.Server s : servers) {
                ResultRow r = test.getValue().get(s.id());
                if (r == null) {
                    continue;
                }
                if (!r.ok()) {
                    md.append(String.format(Locale.ROOT, "| %s | %d | %s | failed |||||||||%n", test.getKey().title(), test.getKey().pipeline(), s.id()));
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %,d | %,.0f | %s | %s | %s | %s | %s | %s | %s |%n",
                        test.getKey().title(), test.getKey().pipeline(), s.id(), r.messages(), r.messagesPerSecond(),
                        MarkdownPage.latency(r.p50()), MarkdownPage.latency(r.p99()), MarkdownPage.latency(r.max()),
                        cores(r.generatorCpu()), cores(r.serverCpu()), cores(r.otherCpu()), MarkdownPage.micros(cpuMicrosPerRequest(r))));
            }
        }
        md.append('\n');
    }

    /** The requests/s ratios to Redis, as plain text for a terminal. */
    String summary() {
        if (rows.isEmpty()) {
            String skipped = facts.get(SKIPPED_FACT);
            return skipped == null ? "" : "RESP section skipped: " + skipped + "\n";
        }
        var out = new StringBuilder(String.format(Locale.ROOT, "%-22s", "RESP, ratio to Redis"));
        for (Report.Server s : servers) {
            out.append(String.format(Locale.ROOT, "  %-16s", s.id()));
        }
        out.append('\n').append(String.format(Locale.ROOT, "%-22s", ""))
                .append(String.format(Locale.ROOT, "  %-16s", "req/s   p99").repeat(servers.size())).append('\n');
        for (RespTest test : rows.keySet()) {
            out.append(String.format(Locale.ROOT, "%-22s", test.title() + " -P " + test.pipeline()));
            for (Report.Server s : servers) {
                out.append(String.format(Locale.ROOT, "  %-7s %-8s", Ratios.format(ratio(test, s.id(), ResultRow::messagesPerSecond)),
                        Ratios.format(ratio(test, s.id(), ResultRow::p99))));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private String title(String server) {
        return servers.stream().filter(s -> s.id().equals(server)).map(Report.Server::title).findFirst().orElse(server);
    }

    private static String cores(double cores) {
        return Double.isNaN(cores) ? "–" : String.format(Locale.ROOT, "%.2f", cores);
    }
}
