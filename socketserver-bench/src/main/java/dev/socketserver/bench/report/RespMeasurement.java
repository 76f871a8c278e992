package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One run of {@code redis-benchmark} in the RESP section of {@code bench/run}, as the script records
 * it: what ran, how long, the processor time of redis-benchmark, of the server and of the whole
 * machine meanwhile, and where its output went. {@link #toRow} turns it into a {@link ResultRow}
 * of the results file, the figures taken from redis-benchmark's {@code --csv} output.
 *
 * <p>The script writes one line per run, tab-separated, in the order of the components; then
 *
 * <pre>java -cp socketserver-bench.jar dev.socketserver.bench.report.RespMeasurement RESULTS.tsv MEASUREMENTS</pre>
 *
 * appends their rows to the results file.
 *
 * @param server the server's id: {@code redis-server}, {@code async}, {@code virtual}
 * @param test the redis-benchmark test and pipeline depth
 * @param clients connections ({@code -c})
 * @param size bytes per value ({@code -d})
 * @param requests requests asked for ({@code -n})
 * @param seconds wall-clock time of the run
 * @param ticksPerSecond the clock ticks of {@code /proc} ({@code getconf CLK_TCK})
 * @param generatorTicks redis-benchmark's user and system time, in ticks
 * @param serverTicks the server's
 * @param busyTicks the whole machine's (user, nice, system, irq and softirq time from {@code /proc/stat})
 * @param exitCode redis-benchmark's exit status (124: killed by {@code timeout})
 * @param output the file of its standard output
 * @param errors the file of its standard error
 */
record RespMeasurement(String server, RespTest test, int clients, int size, long requests, double seconds,
                       long ticksPerSecond, long generatorTicks, long serverTicks, long busyTicks, int exitCode,
                       Path output, Path errors) {

    private static final int FIELDS = 14;

    /**
     * Parses one line written by bench/run: server, test name, pipeline, clients, size, requests,
     * seconds, ticks per second, generator ticks, server ticks, busy ticks, exit code, output file,
     * error file.
     *
     * @throws IllegalArgumentException if the line does not have those fields
     */
    static RespMeasurement parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != FIELDS) {
            throw new IllegalArgumentException("a RESP measurement needs " + FIELDS + " tab-separated fields, got " + f.length);
        }
        try {
            return new RespMeasurement(f[0], new RespTest(f[1], Integer.parseInt(f[2])), Integer.parseInt(f[3]),
                    Integer.parseInt(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6]), Long.parseLong(f[7]),
                    Long.parseLong(f[8]), Long.parseLong(f[9]), Long.parseLong(f[10]), Integer.parseInt(f[11]),
                    Path.of(f[12]), Path.of(f[13]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a RESP measurement has a field that is not a number: " + e.getMessage(), e);
        }
    }

    /** The row of this run, from redis-benchmark's standard output and error. */
    ResultRow toRow(String standardOutput, String standardError) {
        if (exitCode != 0) {
            String why = exitCode == 124 ? "redis-benchmark did not finish in time" : "redis-benchmark exited with " + exitCode;
            String said = firstLine(standardError);
            return failed(said.isEmpty() ? why : why + ": " + said);
        }
        List<RedisBenchmarkCsv.Line> lines;
        try {
            lines = RedisBenchmarkCsv.parse(standardOutput);
        } catch (IllegalArgumentException e) {
            return failed(e.getMessage());
        }
        var line = lines.stream().filter(l -> l.isTest(test.name())).findFirst().orElse(null);
        if (line == null || !(line.requestsPerSecond() > 0)) {
            return failed("redis-benchmark printed no result for " + test.title());
        }
        double generator = cores(generatorTicks);
        double server = cores(serverTicks);
        double other = Double.isNaN(generator) ? Double.NaN : Math.max(0, cores(busyTicks) - generator - server);
        return new ResultRow(test.id(), this.server, "tcp", clients, clients, size, test.pipeline(), seconds, requests,
                line.requestsPerSecond(), Double.NaN, micros(line.p50Ms()), micros(line.p99Ms()), Double.NaN,
                micros(line.maxMs()), 0, -1, generator, server, other, -1, -1, "ok", "", cpuMicrosPerRequest());
    }

    /** The row of this run, reading its output files. */
    ResultRow toRow() throws IOException {
        return toRow(read(output), read(errors));
    }

    private ResultRow failed(String why) {
        return new ResultRow(test.id(), server, "tcp", clients, 0, size, test.pipeline(), Double.NaN, 0, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1, Double.NaN, Double.NaN, Double.NaN,
                -1, -1, "failed", why, Double.NaN);
    }

    /** The server's processor time per request, in microseconds; NaN when not measured. */
    private double cpuMicrosPerRequest() {
        return serverTicks < 0 || ticksPerSecond <= 0 || requests <= 0 ? Double.NaN : serverTicks * 1e6 / ticksPerSecond / requests;
    }

    /** Ticks over the run as processor cores in use; NaN when not measured (negative) or the run took no time. */
    private double cores(long ticks) {
        if (ticks < 0 || ticksPerSecond <= 0 || !(seconds > 0)) {
            return Double.NaN;
        }
        return ticks / (double) ticksPerSecond / seconds;
    }

    private static double micros(double millis) {
        return millis * 1_000;
    }

    private static String firstLine(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Appends the rows of the measurements in MEASUREMENTS to RESULTS.tsv. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: RespMeasurement RESULTS.tsv MEASUREMENTS");
            System.exit(2);
        }
        Path results = Path.of(args[0]);
        List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            RespMeasurement measurement;
            try {
                measurement = parse(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new IOException(String.format(Locale.ROOT, "%s, line %d: %s", args[1], i + 1, e.getMessage()), e);
            }
            ResultsFile.append(results, measurement.toRow());
        }
    }
}
