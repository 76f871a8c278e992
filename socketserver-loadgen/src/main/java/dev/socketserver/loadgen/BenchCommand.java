package dev.socketserver.loadgen;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code socketserver bench}: drives an echo server with a {@link LoadGenerator} and prints what it
 * measured. Progress goes to standard error, the summary to standard output.
 *
 * <p>Exit status: 0 when the run measured echoes and saw no error; 1 when it saw errors or measured
 * nothing (the summary is printed all the same) or could not run; 2 for bad arguments.
 *
 * <p>The command line can embed this command as a subcommand ({@code new CommandLine(...)
 * .addSubcommand(new BenchCommand())}), or delegate to {@link #run(String...)}. The hidden options
 * serve {@code bench/run}.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Load generator for echo servers: opens connections, keeps messages in flight, checks every "
                + "echoed byte, and reports messages/s, MB/s, latency percentiles and errors."},
        footer = {"", "ADDRESS is tcp://HOST:PORT, udp://HOST:PORT or unix:PATH. Only loopback targets are allowed "
                + "unless --allow-remote is given."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, paramLabel = "ADDRESS",
            description = "The echo server: tcp://HOST:PORT, udp://HOST:PORT or unix:PATH.",
            converter = TargetConverter.class)
    Target target;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "50",
            description = "Connections (UDP: clients, each with its own socket), 1 to 20000, opened gradually. Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
            description = "Bytes per message (UDP: per datagram, at least 8). Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "1",
            description = "Messages in flight per connection. Default: ${DEFAULT-VALUE}.")
    int pipeline;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to measure, such as 500ms, 10s or 1m. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "How long to run before measuring; not counted. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--allow-remote", description = "Allow a target that is not on the loopback interface.")
    boolean allowRemote;

    // ---- for bench/run ---------------------------------------------------------------------------

    @Option(names = "--threads", hidden = true, paramLabel = "N", description = "Selector threads.")
    Integer threads;

    @Option(names = "--busy-poll", hidden = true, description = "Poll without sleeping while traffic runs (a processor of its own only).")
    boolean busyPoll;

    @Option(names = "--idle-hold", hidden = true, defaultValue = "0", converter = DurationConverter.class,
            description = "Hold every connection open and idle this long before the warm-up.")
    Duration idleHold;

    @Option(names = "--server-pid", hidden = true, description = "The server's process, to read its memory and processor use.")
    Long serverPid;

    @Option(names = "--record", hidden = true, paramLabel = "FILE", description = "Append the result to this results file.")
    Path record;

    @Option(names = "--server", hidden = true, defaultValue = "server", description = "The server's name in the results file.")
    String server;

    @Option(names = "--test", hidden = true, defaultValue = "", description = "The test's name in the results file.")
    String test;

    private final PrintStream out;
    private final PrintStream err;

    /** A command printing to {@code System.out} and {@code System.err}. */
    public BenchCommand() {
        this(System.out, System.err);
    }

    BenchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command with {@code args} (everything after {@code bench}) and returns its exit status. */
    public static int run(String... args) {
        return commandLine(new BenchCommand()).execute(args);
    }

    /** A command line for {@code command}, with one-line error messages. */
    static CommandLine commandLine(BenchCommand command) {
        var line = new CommandLine(command);
        line.setParameterExceptionHandler((e, args) -> {
            command.err.println("socketserver bench: " + e.getMessage());
            command.err.println("Try 'socketserver bench --help'.");
            return 2;
        });
        line.setExecutionExceptionHandler((e, cl, parsed) -> {
            command.err.println("socketserver bench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return line;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        var options = new LoadOptions(target, connections, size, pipeline, duration, warmup, allowRemote, idleHold,
                threads == null ? LoadOptions.defaultThreads() : threads, busyPoll);
        LoadGenerator.checkTarget(options);
        var printer = new ProgressPrinter(err, ProgressPrinter.onTerminal());
        ServerProbe probe = serverPid == null ? null : new ServerProbe(serverPid);
        LoadGenerator.Listener listener = probe == null ? printer : new Both(printer, probe);
        if (probe != null) {
            probe.before();
        }
        LoadResult result;
        try {
            result = new LoadGenerator(options, listener).run();
        } finally {
            printer.finish();
        }
        printSummary(result);
        if (record != null) {
            ResultsFile.append(record, row(result, probe));
        }
        return result.errors() == 0 && result.messages() > 0 ? 0 : 1;
    }

    private void printSummary(LoadResult r) {
        LoadOptions o = r.options();
        var s = r.latency();
        out.printf(Locale.ROOT, "target      %s: %,d of %,d connections open, %,d-byte messages, pipeline %d%n",
                o.target(), r.connected(), o.connections(), o.size(), o.pipeline());
        out.printf(Locale.ROOT, "measured    %.1f s after a %.1f s warm-up%n", r.measuredNanos() / 1e9, o.warmup().toMillis() / 1000.0);
        out.printf(Locale.ROOT, "messages/s  %,.0f%n", r.messagesPerSecond());
        out.printf(Locale.ROOT, "MB/s        %,.2f%n", r.megabytesPerSecond());
        out.printf(Locale.ROOT, "latency     p50 %s  p99 %s  p99.9 %s  max %s%n", ProgressPrinter.micros(s.p50()),
                ProgressPrinter.micros(s.p99()), ProgressPrinter.micros(s.p999()), ProgressPrinter.micros(s.max()));
        out.printf(Locale.ROOT, "errors      %,d%s%n", r.errors(), o.target().transport() == Target.Transport.UDP
                ? String.format(Locale.ROOT, " (and %,d datagrams lost)", r.lost()) : "");
        for (String sample : r.errorSamples()) {
            out.println("  " + sample);
        }
        if (r.generatorCpu() >= 0) {
            out.printf(Locale.ROOT, "generator   %.2f cores busy while measuring%s%n", r.generatorCpu(),
                    o.busyPoll() ? " (busy polling: time spent on I/O)" : "");
        }
        out.flush();
    }

    private ResultRow row(LoadResult r, ServerProbe probe) {
        LoadOptions o = r.options();
        var s = r.latency();
        return new ResultRow(test, server, o.target().transport().name().toLowerCase(Locale.ROOT), o.connections(),
                r.connected(), o.size(), o.pipeline(), r.measuredNanos() / 1e9, r.messages(), r.messagesPerSecond(),
                r.megabytesPerSecond(), s.p50(), s.p99(), s.p999(), s.max(), r.errors(), r.lost(),
                r.generatorCpu() < 0 ? Double.NaN : r.generatorCpu(),
                probe == null || probe.cpu() < 0 ? Double.NaN : probe.cpu(),
                probe == null ? Double.NaN : probe.otherCpu(),
                probe == null ? -1 : probe.rssBeforeKib(), probe == null || idleHold.isZero() ? -1 : probe.rssIdleKib(),
                "ok", r.errorSamples().isEmpty() ? "" : r.errorSamples().getFirst(),
                probe == null ? Double.NaN : probe.cpuMicrosPerMessage(r.messages()));
    }

    /** Two listeners in turn. */
    private record Both(LoadGenerator.Listener first, LoadGenerator.Listener second) implements LoadGenerator.Listener {
        @Override
        public void progress(LoadGenerator.Progress progress) {
            first.progress(progress);
            second.progress(progress);
        }

        @Override
        public void idle(int connected) {
            first.idle(connected);
            second.idle(connected);
        }

        @Override
        public void measuring() {
            first.measuring();
            second.measuring();
        }

        @Override
        public void measured() {
            first.measured();
            second.measured();
        }
    }

    /** Parses {@code --target}. */
    static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return Target.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Durations as the command line writes them: {@code 500ms}, {@code 10s}, {@code 1m}, or {@code 0}. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException("expected a duration such as 500ms, 10s or 1m, got '" + value + "'");
            }
            long amount = Long.parseLong(m.group(1));
            if (m.group(2) == null) {
                if (amount == 0) {
                    return Duration.ZERO;
                }
                throw new CommandLine.TypeConversionException("missing unit (ms, s, m or h), as in " + amount + "s");
            }
            return Duration.of(amount, switch (m.group(2)) {
                case "ms" -> ChronoUnit.MILLIS;
                case "s" -> ChronoUnit.SECONDS;
                case "m" -> ChronoUnit.MINUTES;
                default -> ChronoUnit.HOURS;
            });
        }
    }
}
