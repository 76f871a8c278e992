package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Turns the raw results of one benchmark run ({@link ResultsFile}) into the report people read: a
 * Markdown page with the run's facts, messages/s and p99 latency of every server in every test,
 * each also as a ratio to Netty on epoll measured in the same run, the memory per idle
 * connection, where our servers trail most, and anything that makes a figure suspect; plus an SVG
 * chart ({@link SvgChart}).
 *
 * <pre>java -cp socketserver-bench.jar dev.socketserver.bench.report.Report RESULTS.tsv</pre>
 *
 * writes {@code RESULTS.md} and {@code RESULTS.svg} beside the results file.
 */
public final class Report {
    /** The server every ratio is taken to. */
    public static final String BASELINE = "netty-epoll";
    /** Other work using more than this many cores while measuring makes a figure suspect. */
    static final double DISTURBED_CPU = 0.25;
    /** A generator busy this share of its threads' time was a bottleneck too. */
    static final double SATURATED = 0.95;

    /** A test the matrix runs, with its column title. */
    record Test(String id, String title) {
    }

    /** A server the matrix knows, with the name the report shows. */
    record Server(String id, String title, boolean ours) {
    }

    static final List<Test> TESTS = List.of(
            new Test("tcp-1", "1 conn"),
            new Test("tcp-50", "50 conns"),
            new Test("tcp-1000", "1,000 conns"),
            new Test("tcp-10000", "10,000 conns"),
            new Test("tcp-50-16k", "50 conns × 16 KiB"),
            new Test("tcp-50-p16", "50 conns, 16 in flight"),
            new Test("udp-50", "UDP, 50 clients"));

    /** The connection-count tests, in the order of the chart. */
    static final List<String> SCALING_TESTS = List.of("tcp-1", "tcp-50", "tcp-1000", "tcp-10000");

    static final List<Server> SERVERS = List.of(
            new Server("netty-epoll", "Netty 4.2 epoll", false),
            new Server("async", "socketserver async", true),
            new Server("virtual", "socketserver virtual", true),
            new Server("threads", "socketserver threads", true),
            new Server("bounded", "socketserver bounded", true),
            new Server("workers", "socketserver workers:2", true),
            new Server("sync", "socketserver sync", true),
            new Server("netty-nio", "Netty 4.2 NIO", false),
            new Server("jdk-virtual", "plain JDK, virtual threads", false),
            new Server("python", "Python socketserver (threading)", false));

    private final ResultsFile results;
    private final String chartFile;
    private final Map<String, Map<String, ResultRow>> byTest = new LinkedHashMap<>();   // test -> server -> row
    private final List<Server> servers = new ArrayList<>();
    private final List<Test> tests = new ArrayList<>();

    /**
     * @param results the raw results
     * @param chartFile the chart's file name, relative to the report, for the image link
     */
    public Report(ResultsFile results, String chartFile) {
        this.results = results;
        this.chartFile = chartFile;
        Set<String> serverIds = new LinkedHashSet<>();
        Set<String> testIds = new LinkedHashSet<>();
        for (ResultRow row : results.rows()) {
            byTest.computeIfAbsent(row.test(), t -> new LinkedHashMap<>()).put(row.server(), row);   // the last one wins
            serverIds.add(row.server());
            testIds.add(row.test());
        }
        for (Server s : SERVERS) {
            if (serverIds.remove(s.id())) {
                servers.add(s);
            }
        }
        for (String other : serverIds) {
            servers.add(new Server(other, other, false));
        }
        for (Test t : TESTS) {
            if (testIds.remove(t.id())) {
                tests.add(t);
            }
        }
        for (String other : testIds) {
            tests.add(new Test(other, other));
        }
    }

    /** Reads {@code RESULTS.tsv} and writes {@code RESULTS.md} and {@code RESULTS.svg} beside it. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Report RESULTS.tsv   (writes RESULTS.md and RESULTS.svg beside it)");
            System.exit(2);
        }
        Path tsv = Path.of(args[0]);
        String base = tsv.getFileName().toString().replaceFirst("\\.tsv$", "");
        Path md = tsv.resolveSibling(base + ".md");
        Path svg = tsv.resolveSibling(base + ".svg");
        var report = new Report(ResultsFile.read(tsv), svg.getFileName().toString());
        Files.writeString(md, report.markdown(), StandardCharsets.UTF_8);
        Files.writeString(svg, report.chart(), StandardCharsets.UTF_8);
        System.out.println("report: " + md);
        System.out.println("chart:  " + svg);
        System.out.println();
        System.out.print(report.ratioSummary());
    }

    /** The row of {@code server} in {@code test}, or null. */
    ResultRow row(String test, String server) {
        return byTest.getOrDefault(test, Map.of()).get(server);
    }

    /** The ratio of a figure to the baseline's in the same test; NaN if either is missing or failed. */
    double ratio(String test, String server, ToDoubleFunction<ResultRow> figure) {
        ResultRow row = row(test, server);
        ResultRow base = row(test, BASELINE);
        if (!usable(row) || !usable(base)) {
            return Double.NaN;
        }
        return Ratios.ratio(figure.applyAsDouble(row), figure.applyAsDouble(base));
    }

    private static boolean usable(ResultRow row) {
        return row != null && row.ok() && row.messages() > 0;
    }

    // ---- the page ------------------------------------------------------------------------------

    /** The report as Markdown. */
    public String markdown() {
        var md = new StringBuilder();
        Map<String, String> f = results.facts();
        md.append("# Echo benchmark, ").append(f.getOrDefault("date", "?")).append(", ")
                .append(f.getOrDefault("machine", "?")).append("\n\n");
        md.append("""
                TCP and UDP echo on loopback, measured by the project's load generator (`socketserver bench`) \
                against our servers and their peers, one server at a time, in one run. Each message is \
                echoed whole before the connection sends the next (pipeline depth 1), except in the \
                pipelined test (16 in flight), and every echoed byte is checked. **Ratios are to Netty 4.2 on epoll measured in the same run**: absolute \
                numbers move with the machine and whatever else runs on it, ratios are what we compare \
                over time. For messages/s higher is better; for latency and memory lower is better.

                """);
        facts(md);
        md.append("![Messages/s and p99 latency per server and connection count](").append(chartFile).append(")\n\n");

        md.append("## Messages per second\n\n");
        table(md, ResultRow::messagesPerSecond, r -> String.format(Locale.ROOT, "%,.0f", r.messagesPerSecond()));
        md.append("## p99 latency\n\n");
        md.append("The 99th percentile of the round trip of one message, from the write that carried its first byte "
                + "to the read that completed its echo.\n\n");
        table(md, ResultRow::p99, r -> latency(r.p99()));
        bulk(md);
        memory(md);
        gaps(md);
        generator(md);
        suspects(md);
        raw(md);
        return md.toString();
    }

    private void facts(StringBuilder md) {
        Map<String, String> f = results.facts();
        md.append("| | |\n|---|---|\n");
        for (var e : f.entrySet()) {
            if (e.getKey().equals("machine") || e.getKey().equals("date")) {
                continue;
            }
            md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().replace("|", "\\|")).append(" |\n");
        }
        md.append("\n");
    }

    private void table(StringBuilder md, ToDoubleFunction<ResultRow> figure, java.util.function.Function<ResultRow, String> cell) {
        md.append("| server |");
        for (Test t : tests) {
            md.append(' ').append(t.title()).append(" |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(tests.size()));
        md.append('\n');
        for (Server s : servers) {
            md.append("| ").append(s.ours() ? "**" + s.title() + "**" : s.title()).append(" |");
            for (Test t : tests) {
                ResultRow r = row(t.id(), s.id());
                md.append(' ');
                if (r == null) {
                    md.append("–");
                } else if (!r.ok()) {
                    md.append("failed");
                } else if (r.messages() == 0) {
                    md.append("no echoes");
                } else {
                    md.append(cell.apply(r)).append(" (").append(Ratios.format(ratio(t.id(), s.id(), figure))).append(')');
                    if (saturated(r)) {
                        md.append(" †");
                    }
                    if (r.errors() > 0) {
                        md.append(" ⚠");
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
        if (results.rows().stream().anyMatch(this::saturated)) {
            md.append("†: the load generator was saturated too (see below): the server may be faster than shown. ");
        }
        if (results.rows().stream().anyMatch(r -> r.errors() > 0)) {
            md.append("⚠: the run had errors (see below). ");
        }
        md.append("–: not measured");
        List<String> why = new ArrayList<>();
        if (servers.stream().anyMatch(s -> s.id().equals("sync"))) {
            why.add("the synchronous model serves one connection at a time, so it runs the 1-connection test and UDP only");
        }
        if (servers.stream().anyMatch(s -> s.id().equals("workers"))) {
            why.add("worker processes serve streams only, so workers skips UDP");
        }
        if (!why.isEmpty()) {
            md.append(" (").append(String.join("; ", why)).append(")");
        }
        md.append(".\n\n");
    }

    private void bulk(StringBuilder md) {
        String test = "tcp-50-16k";
        if (!byTest.containsKey(test)) {
            return;
        }
        md.append("## Throughput with 16 KiB messages (50 connections)\n\n| server | MB/s | ratio | p99 |\n|---|---:|---:|---:|\n");
        for (Server s : servers) {
            ResultRow r = row(test, s.id());
            if (usable(r)) {
                md.append("| ").append(s.title()).append(" | ").append(String.format(Locale.ROOT, "%,.0f", r.megabytesPerSecond()))
                        .append(" | ").append(Ratios.format(ratio(test, s.id(), ResultRow::megabytesPerSecond)))
                        .append(" | ").append(latency(r.p99())).append(" |\n");
            }
        }
        md.append("\nMB is 10^6 bytes, counted one way (the echoes).\n\n");
    }

    private void memory(StringBuilder md) {
        String test = "tcp-10000";
        if (!byTest.containsKey(test)) {
            return;
        }
        md.append("## Memory per idle connection (10,000 connections)\n\n")
                .append("The server's resident set (`VmRSS` in `/proc/PID/status`) before the connections opened, and once all "
                        + "of them were open and idle (nothing sent yet); the growth divided by the connections.\n\n")
                .append("| server | before | with the connections idle | per connection | ratio |\n|---|---:|---:|---:|---:|\n");
        for (Server s : servers) {
            ResultRow r = row(test, s.id());
            if (r == null || Double.isNaN(r.rssPerConnectionBytes())) {
                continue;
            }
            ResultRow base = row(test, BASELINE);
            double ratio = base == null ? Double.NaN : Ratios.ratio(r.rssPerConnectionBytes(), base.rssPerConnectionBytes());
            md.append("| ").append(s.title()).append(" | ").append(mib(r.rssBeforeKib())).append(" | ")
                    .append(mib(r.rssIdleKib())).append(" (").append(String.format(Locale.ROOT, "%,d", r.connected()))
                    .append(" open) | ").append(String.format(Locale.ROOT, "%,.1f KiB", r.rssPerConnectionBytes() / 1024))
                    .append(" | ").append(Ratios.format(ratio)).append(" |\n");
        }
        md.append("\n");
    }

    /** Where our servers trail the baseline most. */
    private void gaps(StringBuilder md) {
        record Gap(String text, double badness) {
        }
        List<Gap> gaps = new ArrayList<>();
        for (Server s : servers) {
            if (!s.ours()) {
                continue;
            }
            for (Test t : tests) {
                double throughput = ratio(t.id(), s.id(), ResultRow::messagesPerSecond);
                if (!Double.isNaN(throughput) && throughput > 0) {
                    gaps.add(new Gap(s.title() + ", " + t.title() + ": " + Ratios.format(throughput) + " the messages/s", 1 / throughput));
                }
                double p99 = ratio(t.id(), s.id(), ResultRow::p99);
                if (!Double.isNaN(p99)) {
                    gaps.add(new Gap(s.title() + ", " + t.title() + ": " + Ratios.format(p99) + " the p99 latency", p99));
                }
            }
            ResultRow idle = row("tcp-10000", s.id());
            ResultRow base = row("tcp-10000", BASELINE);
            if (idle != null && base != null) {
                double memory = Ratios.ratio(idle.rssPerConnectionBytes(), base.rssPerConnectionBytes());
                if (!Double.isNaN(memory)) {
                    gaps.add(new Gap(s.title() + ": " + Ratios.format(memory) + " the memory per idle connection", memory));
                }
            }
        }
        if (gaps.isEmpty()) {
            return;
        }
        gaps.sort(Comparator.comparingDouble(Gap::badness).reversed());
        md.append("## Where our servers trail Netty epoll most\n\n");
        for (Gap g : gaps.subList(0, Math.min(5, gaps.size()))) {
            if (g.badness() <= 1) {
                break;
            }
            md.append("- ").append(g.text()).append(" of Netty epoll\n");
        }
        md.append("\n");
    }

    /** The load generator's threads, from the run's facts; 1 if not said. */
    private int generatorThreads() {
        try {
            return Integer.parseInt(results.facts().getOrDefault("generator threads", "1").strip());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Whether the generator was busy nearly all the time: then it limited the rate as much as the server did. */
    boolean saturated(ResultRow r) {
        return r.ok() && !Double.isNaN(r.generatorCpu()) && r.generatorCpu() >= SATURATED * generatorThreads();
    }

    private void generator(StringBuilder md) {
        long measured = results.rows().stream().filter(ResultRow::ok).count();
        long saturated = results.rows().stream().filter(this::saturated).count();
        md.append("## Was the load generator the bottleneck?\n\n");
        if (saturated == 0) {
            md.append("No: in every measurement the generator spent more than ").append(Math.round((1 - SATURATED) * 100))
                    .append("% of its time waiting for the server.\n\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "In %d of %d measurements (marked †) the generator was busy at least %.0f%% of "
                + "its time, so it limited the rate as much as the server did; those figures are lower bounds for the "
                + "server, and ratios between two of them compare servers that both reached the generator's ceiling. "
                + "On loopback each `write` also runs the receiving socket's TCP processing, so with one CPU each a "
                + "generator and a lean server cost about the same per message; the generator's own code is a small "
                + "part of its time. `generator-check.md` beside this report measures the generator against a C epoll "
                + "echo server.%n%n", saturated, measured,
                SATURATED * 100));
    }

    /** Errors, lost datagrams, failures, and measurements other work disturbed. */
    private void suspects(StringBuilder md) {
        List<String> notes = new ArrayList<>();
        for (ResultRow r : results.rows()) {
            String who = title(r.server()) + ", " + testTitle(r.test());
            if (!r.ok()) {
                notes.add(who + ": failed: " + r.note());
                continue;
            }
            if (r.errors() > 0) {
                notes.add(String.format(Locale.ROOT, "%s: %,d errors; the first: %s", who, r.errors(), r.note()));
            }
            if (r.lost() > 0) {
                notes.add(String.format(Locale.ROOT, "%s: %,d datagrams lost (no echo within 1 s)", who, r.lost()));
            }
            if (r.connected() < r.connections()) {
                notes.add(String.format(Locale.ROOT, "%s: only %,d of %,d connections opened", who, r.connected(), r.connections()));
            }
            if (r.otherCpu() > DISTURBED_CPU) {
                notes.add(String.format(Locale.ROOT, "%s: other work on the machine used %.2f cores while measuring", who, r.otherCpu()));
            }
        }
        md.append("## Errors and disturbances\n\n");
        if (notes.isEmpty()) {
            md.append("None: no errors, no failures, no lost datagrams, and no other work above ")
                    .append(DISTURBED_CPU).append(" cores while measuring.\n\n");
        } else {
            for (String n : notes) {
                md.append("- ").append(n).append('\n');
            }
            md.append('\n');
        }
    }

    private void raw(StringBuilder md) {
        md.append("## Every measurement\n\n")
                .append("`generator`, `server` and `other`: processor use while measuring, in cores. The generator's is the "
                        + "time it spent on I/O (when it busy-polls, the rest of its core was spent finding nothing to do, so "
                        + "below 1.0 it was waiting for the server, not the other way round); `other` is everything else on "
                        + "the machine.\n\n")
                .append("| test | server | msg/s | MB/s | p50 | p99 | p99.9 | max | errors | generator | server | other |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Test t : tests) {
            for (Server s : servers) {
                ResultRow r = row(t.id(), s.id());
                if (r == null) {
                    continue;
                }
                if (!r.ok()) {
                    md.append("| ").append(t.id()).append(" | ").append(s.id()).append(" | failed |||||||||| \n");
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.2f | %s | %s | %s | %s | %,d | %s | %s | %s |%n",
                        t.id(), s.id(), r.messagesPerSecond(), r.megabytesPerSecond(), latency(r.p50()), latency(r.p99()),
                        latency(r.p999()), latency(r.max()), r.errors(), cores(r.generatorCpu()), cores(r.serverCpu()),
                        cores(r.otherCpu())));
            }
        }
        md.append("\nThe raw results are in the `.tsv` file of the same name.\n");
    }

    /** The messages/s and p99 ratios of every server in every test, as plain text for a terminal. */
    public String ratioSummary() {
        var out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-32s", "ratio to Netty epoll"));
        for (Test t : tests) {
            out.append(String.format(Locale.ROOT, "  %-15s", t.id()));
        }
        out.append('\n').append(String.format(Locale.ROOT, "%-32s", ""));
        out.append(String.format(Locale.ROOT, "  %-15s", "msg/s   p99").repeat(tests.size())).append('\n');
        for (Server s : servers) {
            out.append(String.format(Locale.ROOT, "%-32s", s.title()));
            for (Test t : tests) {
                double m = ratio(t.id(), s.id(), ResultRow::messagesPerSecond);
                double p = ratio(t.id(), s.id(), ResultRow::p99);
                out.append(String.format(Locale.ROOT, "  %-7s %-7s", Ratios.format(m), Ratios.format(p)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The chart, as SVG. */
    public String chart() {
        List<String> groups = new ArrayList<>();
        List<String> groupTitles = new ArrayList<>();
        for (Test t : tests) {
            if (SCALING_TESTS.contains(t.id())) {
                groups.add(t.id());
                groupTitles.add(t.title());
            }
        }
        List<SvgChart.Series> throughput = new ArrayList<>();
        List<SvgChart.Series> p99 = new ArrayList<>();
        for (Server s : servers) {
            double[] m = new double[groups.size()];
            double[] p = new double[groups.size()];
            for (int i = 0; i < groups.size(); i++) {
                ResultRow r = row(groups.get(i), s.id());
                m[i] = usable(r) ? r.messagesPerSecond() : Double.NaN;
                p[i] = usable(r) ? r.p99() : Double.NaN;
            }
            throughput.add(new SvgChart.Series(s.title(), m));
            p99.add(new SvgChart.Series(s.title(), p));
        }
        Map<String, String> f = results.facts();
        String title = "TCP echo, 64-byte messages: " + f.getOrDefault("date", "") + ", " + f.getOrDefault("machine", "");
        return new SvgChart(title, groupTitles, List.of(
                new SvgChart.Panel("messages/s (higher is better)", throughput, false),
                new SvgChart.Panel("p99 latency, µs, log scale (lower is better)", p99, true))).render();
    }

    private String title(String server) {
        return servers.stream().filter(s -> s.id().equals(server)).map(Server::title).findFirst().orElse(server);
    }

    private String testTitle(String test) {
        return tests.stream().filter(t -> t.id().equals(test)).map(Test::title).findFirst().orElse(test);
    }

    static String latency(double micros) {
        if (Double.isNaN(micros)) {
            return "–";
        }
        if (micros < 1_000) {
            return String.format(Locale.ROOT, "%.0f µs", micros);
        }
        return micros < 10_000 ? String.format(Locale.ROOT, "%.2f ms", micros / 1_000) : String.format(Locale.ROOT, "%,.1f ms", micros / 1_000);
    }

    private static String mib(long kib) {
        return kib < 0 ? "–" : String.format(Locale.ROOT, "%,.1f MiB", kib / 1024.0);
    }

    private static String cores(double cores) {
        return Double.isNaN(cores) ? "–" : String.format(Locale.ROOT, "%.2f", cores);
    }
}
