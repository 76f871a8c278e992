package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Turns the raw results of one benchmark run ({@link ResultsFile}) into the report people read: a
 * Markdown page with the run's facts, messages/s and p99 latency of every server in every echo
 * test, each also as a ratio to Netty on epoll measured in the same run, the server's processor
 * time per message, the memory per idle
 * connection, where our servers trail most, and anything that makes a figure suspect; the RESP
 * section ({@link RespSection}: redis-benchmark against Redis and ours, ratios to Redis); plus an
 * SVG chart of the echo tests ({@link SvgChart}). This class indexes the results and takes the ratios; {@link MarkdownPage}
 * lays out the page.
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
            new Server("c-epoll", "C epoll, one thread", false),
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
    private final RespSection resp;
    private final String chartFile;
    private final Map<String, Map<String, ResultRow>> byTest = new LinkedHashMap<>();   // test -> server -> row
    private final List<Server> servers = new ArrayList<>();
    private final List<Test> tests = new ArrayList<>();

    /**
     * @param results the raw results
     * @param chartFile the chart's file name, relative to the report, for the image link
     */
    public Report(ResultsFile results, String chartFile) {
        List<ResultRow> echoRows = new ArrayList<>();
        List<ResultRow> respRows = new ArrayList<>();
        for (ResultRow row : results.rows()) {
            (RespTest.isResp(row.test()) ? respRows : echoRows).add(row);
        }
        this.results = new ResultsFile(results.facts(), echoRows);
        this.resp = new RespSection(results.facts(), respRows);
        this.chartFile = chartFile;
        Set<String> serverIds = new LinkedHashSet<>();
        Set<String> testIds = new LinkedHashSet<>();
        for (ResultRow row : echoRows) {
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
        System.out.println("report: " + md);
        if (report.hasEcho()) {
            Files.writeString(svg, report.chart(), StandardCharsets.UTF_8);
            System.out.println("chart:  " + svg);
        }
        System.out.println();
        System.out.print(report.ratioSummary());
    }

    /** The run's facts and its echo rows (the RESP rows are in {@link #resp()}). */
    ResultsFile results() {
        return results;
    }

    /** The RESP section: redis-benchmark against Redis and ours. */
    RespSection resp() {
        return resp;
    }

    /** Whether the run measured any echo test (a run of the RESP section alone has none, and no chart). */
    boolean hasEcho() {
        return !results.rows().isEmpty();
    }

    /** The chart's file name, relative to the report. */
    String chartFile() {
        return chartFile;
    }

    /** The servers measured, known ones first in the order of {@link #SERVERS}. */
    List<Server> servers() {
        return servers;
    }

    /** The tests run, known ones first in the order of {@link #TESTS}. */
    List<Test> tests() {
        return tests;
    }

    /** Whether the results have any row of {@code test}. */
    boolean hasTest(String test) {
        return byTest.containsKey(test);
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

    /** Whether a row has figures to show: measured, not failed, with at least one echo. */
    static boolean usable(ResultRow row) {
        return row != null && row.ok() && row.messages() > 0;
    }

    /**
     * The server's processor time per message echoed while measuring, in microseconds; NaN when not
     * measured. Rows written before the {@code server_cpu_us_per_msg} column existed have the same
     * figure from the server's processor use in cores over the measured seconds (the RESP section's
     * rows, from redis-benchmark's runs, the same).
     */
    static double cpuMicrosPerMessage(ResultRow r) {
        if (!usable(r)) {
            return Double.NaN;
        }
        if (!Double.isNaN(r.serverCpuMicrosPerMessage())) {
            return r.serverCpuMicrosPerMessage();
        }
        if (Double.isNaN(r.serverCpu()) || !(r.seconds() > 0)) {
            return Double.NaN;
        }
        return r.serverCpu() * r.seconds() / r.messages() * 1e6;
    }

    /**
     * Whether this is the unpinned matrix: server and load generator free on every CPU (the run's
     * {@code core sharing} fact says {@code unpinned}), rather than each on its own half.
     */
    boolean unpinned() {
        return results.facts().getOrDefault("core sharing", "").startsWith("unpinned");
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

    /** The report as Markdown. */
    public String markdown() {
        return new MarkdownPage(this).render();
    }

    /** The messages/s and p99 ratios of every server in every test, as plain text for a terminal. */
    public String ratioSummary() {
        var out = new StringBuilder();
        if (!hasEcho()) {
            return resp.summary();
        }
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
        String respSummary = resp.summary();
        if (!respSummary.isEmpty()) {
            out.append('\n').append(respSummary);
        }
        return out.toString();
    }

    /** The chart, as SVG: the echo tests only. */
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
        List<SvgChart.Series> cpu = new ArrayList<>();
        for (Server s : servers) {
            double[] m = new double[groups.size()];
            double[] p = new double[groups.size()];
            double[] c = new double[groups.size()];
            for (int i = 0; i < groups.size(); i++) {
                ResultRow r = row(groups.get(i), s.id());
                m[i] = usable(r) ? r.messagesPerSecond() : Double.NaN;
                p[i] = usable(r) ? r.p99() : Double.NaN;
                c[i] = cpuMicrosPerMessage(r);
            }
            throughput.add(new SvgChart.Series(s.title(), m));
            p99.add(new SvgChart.Series(s.title(), p));
            cpu.add(new SvgChart.Series(s.title(), c));
        }
        Map<String, String> f = results.facts();
        String title = "TCP echo, 64-byte messages: " + f.getOrDefault("date", "") + ", " + f.getOrDefault("machine", "")
                + (unpinned() ? ", unpinned" : "");
        List<SvgChart.Panel> panels = new ArrayList<>(List.of(
                new SvgChart.Panel("messages/s (higher is better)", throughput, false),
                new SvgChart.Panel("p99 latency, µs, log scale (lower is better)", p99, true)));
        if (cpu.stream().flatMapToDouble(series -> java.util.Arrays.stream(series.values())).anyMatch(v -> !Double.isNaN(v))) {
            panels.add(new SvgChart.Panel("server CPU time per message, µs (lower is better)", cpu, false));
        }
        return new SvgChart(title, groupTitles, panels).render();
    }

    /** The name the report shows for {@code server}. */
    String title(String server) {
        return servers.stream().filter(s -> s.id().equals(server)).map(Server::title).findFirst().orElse(server);
    }

    /** The column title of {@code test}. */
    String testTitle(String test) {
        return tests.stream().filter(t -> t.id().equals(test)).map(Test::title).findFirst().orElse(test);
    }
}
