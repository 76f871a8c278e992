package dev.socketserver.bench.report;

import dev.socketserver.bench.report.Report.Server;
import dev.socketserver.bench.report.Report.Test;
import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import static dev.socketserver.bench.report.Report.BASELINE;
import static dev.socketserver.bench.report.Report.DISTURBED_CPU;
import static dev.socketserver.bench.report.Report.SATURATED;

/**
 * The Markdown page of a {@link Report}, section by section: the run's facts, the messages/s,
 * p99 and CPU per message tables with their ratios to the baseline, bulk throughput, memory per idle connection, where
 * our servers trail most, whether the load generator was the bottleneck, errors and disturbances,
 * and every measurement; then the RESP section, if the run had one. The figures and ratios come from
 * the report; this class only lays them out.
 */
final class MarkdownPage {
    private final Report report;
    private final ResultsFile results;
    private final List<Server> servers;
    private final List<Test> tests;

    MarkdownPage(Report report) {
        this.report = report;
        this.results = report.results();
        this.servers = report.servers();
        this.tests = report.tests();
    }

    /** The whole page. */
    String render() {
        var md = new StringBuilder();
        Map<String, String> f = results.facts();
        if (!report.hasEcho()) {
            md.append("# RESP benchmark, ").append(f.getOrDefault("date", "?")).append(", ")
                    .append(f.getOrDefault("machine", "?")).append("\n\n");
            facts(md);
            report.resp().render(md);
            md.append("The raw results are in the `.tsv` file of the same name.\n");
            return md.toString();
        }
        md.append("# Echo benchmark, ").append(f.getOrDefault("date", "?")).append(", ")
                .append(f.getOrDefault("machine", "?")).append(report.unpinned() ? ", unpinned" : "").append("\n\n");
        md.append("""
                TCP and UDP echo on loopback, measured by the project's load generator (`socketserver bench`) \
                against our servers and their peers, one server at a time, in one run. Each message is \
                echoed whole before the connection sends the next (pipeline depth 1), except in the \
                pipelined test (16 in flight), and every echoed byte is checked. **Ratios are to Netty 4.2 on epoll measured in the same run**: absolute \
                numbers move with the machine and whatever else runs on it, ratios are what we compare \
                over time. For messages/s higher is better; for latency and memory lower is better.

                """);
        facts(md);
        md.append("![Messages/s and p99 latency per server and connection count](").append(report.chartFile()).append(")\n\n");

        md.append("## Messages per second\n\n");
        table(md, ResultRow::messagesPerSecond, r -> String.format(Locale.ROOT, "%,.0f", r.messagesPerSecond()), true);
        md.append("## p99 latency\n\n");
        md.append("The 99th percentile of the round trip of one message, from the write that carried its first byte "
                + "to the read that completed its echo.\n\n");
        table(md, ResultRow::p99, r -> latency(r.p99()), true);
        cpuPerMessage(md);
        bulk(md);
        memory(md);
        gaps(md);
        generator(md);
        suspects(md);
        raw(md);
        if (report.resp().present()) {
            md.append('\n');
            report.resp().render(md);
        }
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

    /** The server's processor time per message: what a user pays, even where the generator was the limit. */
    private void cpuPerMessage(StringBuilder md) {
        if (results.rows().stream().allMatch(r -> Double.isNaN(Report.cpuMicrosPerMessage(r)))) {
            return;
        }
        md.append("## CPU per message\n\n")
                .append("The server's processor time (user and system time in `/proc/PID/stat`, summed over the processes it "
                        + "started, such as the workers) while measuring, divided by the messages it echoed meanwhile. "
                        + "Lower is better; unlike messages/s, it holds when the load generator is saturated, and it is "
                        + "what a user pays for each message.\n\n");
        table(md, Report::cpuMicrosPerMessage, r -> micros(Report.cpuMicrosPerMessage(r)), false);
    }

    /**
     * A table of a figure of every server in every test, with its ratio to the baseline; a generator
     * that was saturated is marked † where that caps the figure ({@code capped}).
     */
    private void table(StringBuilder md, ToDoubleFunction<ResultRow> figure, Function<ResultRow, String> cell, boolean capped) {
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
                ResultRow r = report.row(t.id(), s.id());
                md.append(' ');
                if (r == null) {
                    md.append("–");
                } else if (!r.ok()) {
                    md.append("failed");
                } else if (r.messages() == 0) {
                    md.append("no echoes");
                } else if (Double.isNaN(figure.applyAsDouble(r))) {
                    md.append("–");
                } else {
                    md.append(cell.apply(r)).append(" (").append(Ratios.format(report.ratio(t.id(), s.id(), figure))).append(')');
                    if (capped && report.saturated(r)) {
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
        if (capped && results.rows().stream().anyMatch(report::saturated)) {
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
        if (servers.stream().anyMatch(s -> s.id().equals("c-epoll")) && tests.stream().anyMatch(t -> t.id().startsWith("udp"))) {
            why.add("the C epoll echo serves TCP only, so it skips UDP");
        }
        if (!why.isEmpty()) {
            md.append(" (").append(String.join("; ", why)).append(")");
        }
        md.append(".\n\n");
    }

    private void bulk(StringBuilder md) {
        String test = "tcp-50-16k";
        if (!report.hasTest(test)) {
            return;
        }
        md.append("## Throughput with 16 KiB messages (50 connections)\n\n| server | MB/s | ratio | p99 |\n|---|---:|---:|---:|\n");
        for (Server s : servers) {
            ResultRow r = report.row(test, s.id());
            if (Report.usable(r)) {
                md.append("| ").append(s.title()).append(" | ").append(String.format(Locale.ROOT, "%,.0f", r.megabytesPerSecond()))
                        .append(" | ").append(Ratios.format(report.ratio(test, s.id(), ResultRow::megabytesPerSecond)))
                        .append(" | ").append(latency(r.p99())).append(" |\n");
            }
        }
        md.append("\nMB is 10^6 bytes, counted one way (the echoes).\n\n");
    }

    private void memory(StringBuilder md) {
        String test = "tcp-10000";
        if (!report.hasTest(test)) {
            return;
        }
        md.append("## Memory per idle connection (10,000 connections)\n\n")
                .append("The server's resident set (`VmRSS` in `/proc/PID/status`) before the connections opened, and once all "
                        + "of them were open and idle (nothing sent yet); the growth divided by the connections.\n\n")
                .append("| server | before | with the connections idle | per connection | ratio |\n|---|---:|---:|---:|---:|\n");
        for (Server s : servers) {
            ResultRow r = report.row(test, s.id());
            if (r == null || Double.isNaN(r.rssPerConnectionBytes())) {
                continue;
            }
            ResultRow base = report.row(test, BASELINE);
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
                double throughput = report.ratio(t.id(), s.id(), ResultRow::messagesPerSecond);
                if (!Double.isNaN(throughput) && throughput > 0) {
                    gaps.add(new Gap(s.title() + ", " + t.title() + ": " + Ratios.format(throughput) + " the messages/s", 1 / throughput));
                }
                double p99 = report.ratio(t.id(), s.id(), ResultRow::p99);
                if (!Double.isNaN(p99)) {
                    gaps.add(new Gap(s.title() + ", " + t.title() + ": " + Ratios.format(p99) + " the p99 latency", p99));
                }
                double cpu = report.ratio(t.id(), s.id(), Report::cpuMicrosPerMessage);
                if (!Double.isNaN(cpu)) {
                    gaps.add(new Gap(s.title() + ", " + t.title() + ": " + Ratios.format(cpu) + " the CPU per message", cpu));
                }
            }
            ResultRow idle = report.row("tcp-10000", s.id());
            ResultRow base = report.row("tcp-10000", BASELINE);
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

    private void generator(StringBuilder md) {
        long measured = results.rows().stream().filter(ResultRow::ok).count();
        long saturated = results.rows().stream().filter(report::saturated).count();
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
            String who = report.title(r.server()) + ", " + report.testTitle(r.test());
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
                        + "the machine. `CPU/msg`: the server's processor time per message.\n\n")
                .append("| test | server | msg/s | MB/s | p50 | p99 | p99.9 | max | errors | generator | server | other | CPU/msg |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Test t : tests) {
            for (Server s : servers) {
                ResultRow r = report.row(t.id(), s.id());
                if (r == null) {
                    continue;
                }
                if (!r.ok()) {
                    md.append("| ").append(t.id()).append(" | ").append(s.id()).append(" | failed ||||||||||| \n");
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.2f | %s | %s | %s | %s | %,d | %s | %s | %s | %s |%n",
                        t.id(), s.id(), r.messagesPerSecond(), r.megabytesPerSecond(), latency(r.p50()), latency(r.p99()),
                        latency(r.p999()), latency(r.max()), r.errors(), cores(r.generatorCpu()), cores(r.serverCpu()),
                        cores(r.otherCpu()), micros(Report.cpuMicrosPerMessage(r))));
            }
        }
        md.append("\nThe raw results are in the `.tsv` file of the same name.\n");
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

    /** Processor time per message or request: {@code 6.52 µs}, {@code 24.1 µs}, {@code –} when unknown. */
    static String micros(double micros) {
        return Double.isNaN(micros) ? "–" : String.format(Locale.ROOT, micros < 10 ? "%.2f µs" : "%,.1f µs", micros);
    }

    private static String mib(long kib) {
        return kib < 0 ? "–" : String.format(Locale.ROOT, "%,.1f MiB", kib / 1024.0);
    }

    private static String cores(double cores) {
        return Double.isNaN(cores) ? "–" : String.format(Locale.ROOT, "%.2f", cores);
    }
}
