package dev.socketserver.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The {@code socketserver} command running as a child process, as a script would run it. It runs
 * on the JDK that runs the tests, from the test class path (the shaded jar does not exist during
 * {@code mvn test}). Standard output is read line by line as it arrives; standard error is
 * collected. {@link #close()} kills the process if it still runs, so use try-with-resources.
 */
final class CliProcess implements AutoCloseable {
    /** How long a command may take to start, or to exit when it should. Generous: a JVM start took over 20 s on a 2-CPU machine busy with three builds. */
    static final Duration PATIENCE = Duration.ofSeconds(45);

    private static final String END_OF_STREAM = "\u0000end of stream";

    private final Process process;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();   // guarded by itself
    private final Thread stderrReader;
    private final CountDownLatch readPastFirstLine;
    private String listeningOn;

    private CliProcess(Process process) {
        this(process, true);
    }

    private CliProcess(Process process, boolean readAllOfStdout) {
        this.process = process;
        this.readPastFirstLine = new CountDownLatch(readAllOfStdout ? 0 : 1);
        Thread.ofPlatform().daemon().name("cli-stdout-" + process.pid()).start(this::readStdout);
        this.stderrReader = Thread.ofPlatform().daemon().name("cli-stderr-" + process.pid()).start(this::readStderr);
    }

    /**
     * Starts {@code socketserver ARGS...} with its standard output a pipe that nobody reads past
     * the first line (the listening line) until {@link #readRestOfStdout()}: once the pipe's
     * buffer (64 KiB on Linux) is full, the command's writes to standard output block.
     */
    static CliProcess startWithUnreadStdout(String... args) throws IOException {
        return new CliProcess(new ProcessBuilder(command(args)).start(), false);
    }

    /** Starts reading standard output past its first line, after {@link #startWithUnreadStdout}. */
    void readRestOfStdout() {
        readPastFirstLine.countDown();
    }

    /** Starts {@code socketserver ARGS...}. */
    static CliProcess start(String... args) throws IOException {
        return new CliProcess(new ProcessBuilder(command(args)).start());
    }

    /** Starts {@code socketserver ARGS...} through {@code launcher}, a program that runs the command after its own arguments (such as {@code systemd-socket-activate -l ADDRESS}). */
    static CliProcess startThrough(List<String> launcher, String... args) throws IOException {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(command(args));
        return new CliProcess(new ProcessBuilder(command).start());
    }

    /** Starts {@code socketserver ARGS...} with {@code extraEnvironment} added to this JVM's environment. */
    static CliProcess startWithEnvironment(java.util.Map<String, String> extraEnvironment, String... args) throws IOException {
        var builder = new ProcessBuilder(command(args));
        builder.environment().putAll(extraEnvironment);
        return new CliProcess(builder.start());
    }

    /** Starts {@code socketserver ARGS...} on a JVM given {@code jvmOptions} too, such as {@code -Xmx64m}. */
    static CliProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = command(args);
        command.addAll(1, jvmOptions);
        return new CliProcess(new ProcessBuilder(command).start());
    }

    /**
     * Starts {@code socketserver ARGS...} with at most {@code maxDescriptors} open files
     * ({@code ulimit -n}); the shell execs the JVM, so {@link #pid()} is the JVM's.
     */
    static CliProcess startWithDescriptorLimit(int maxDescriptors, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + maxDescriptors + " && exec \"$@\"", "bash"));
        command.addAll(command(args));
        return new CliProcess(new ProcessBuilder(command).start());
    }

    /**
     * Starts {@code socketserver ARGS...} with its standard output and error appended to files: a
     * pipe would not do when the command's successor writes to it after the command exits (the
     * JDK closes a process's pipes when the process ends).
     */
    static CliProcess startWithOutputTo(Path stdout, Path stderr, String... args) throws IOException {
        return new CliProcess(new ProcessBuilder(command(args))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
                .start());
    }

    /** Starts {@code socketserver ARGS...} with {@code classPath} in place of the tests' class path. */
    static CliProcess startWithClassPath(String classPath, String... args) throws IOException {
        List<String> command = command(args);
        command.set(command.indexOf("-cp") + 1, classPath);
        return new CliProcess(new ProcessBuilder(command).start());
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1",   // starts faster; the tests measure behaviour, not speed
                "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "dev.socketserver.cli.Main"));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code socketserver ARGS...} to its end. */
    static Finished run(String... args) throws Exception {
        try (var cli = start(args)) {
            int status = cli.awaitExit();
            List<String> out = new ArrayList<>();
            for (String line = cli.nextLine(); line != null; line = cli.nextLine()) {
                out.add(line);
            }
            return new Finished(status, out, cli.stderrLines());
        }
    }

    /** What a command that ran to its end printed, and its exit status. */
    record Finished(int status, List<String> stdout, List<String> stderr) {
    }

    /**
     * Waits for the first line of standard output, checks that it is {@code listening on ADDRESS},
     * and returns {@code ADDRESS}.
     */
    String awaitListening() throws InterruptedException {
        if (listeningOn == null) {
            String first = nextLine();
            if (first == null) {
                fail("the command ended without a listening line; status " + process.waitFor() + ", stderr:%n%s", stderr());
            }
            assertThat(first).startsWith("listening on ");
            listeningOn = first.substring("listening on ".length());
        }
        return listeningOn;
    }

    /** The TCP or UDP address of the listening line. */
    InetSocketAddress awaitInetAddress() throws InterruptedException {
        return switch (ListenAddress.parse(awaitListening())) {
            case ListenAddress.Tcp(String host, int port) -> new InetSocketAddress(host, port);
            case ListenAddress.Udp(String host, int port) -> new InetSocketAddress(host, port);
            case ListenAddress.Unix unix -> throw new AssertionError("expected tcp or udp, got " + unix);
            case ListenAddress.Unixgram unixgram -> throw new AssertionError("expected tcp or udp, got " + unixgram);
            case ListenAddress.Systemd systemd -> throw new AssertionError("expected tcp or udp, got " + systemd);
            case ListenAddress.OneConnection one -> throw new AssertionError("expected tcp or udp, got " + one);
        };
    }

    /** The next line of standard output, waiting up to {@link #PATIENCE}; {@code null} at its end. */
    String nextLine() throws InterruptedException {
        String line = stdout.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            fail("no line on stdout within " + PATIENCE + "; stderr:%n%s", stderr());
        }
        if (line.equals(END_OF_STREAM)) {
            stdout.add(END_OF_STREAM);   // every later call sees the end too
            return null;
        }
        return line;
    }

    /** The command's process, to find the processes it started. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The command's process id. */
    long pid() {
        return process.pid();
    }

    /** Whether the command still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends SIGTERM, as {@code kill PID} does. */
    void sigterm() {
        process.toHandle().destroy();   // unlike Process.destroy(), leaves our ends of the pipes open
    }

    /** Sends SIGINT, as Ctrl-C does. */
    void sigint() throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    /** Waits up to {@link #PATIENCE} for the command to end and returns its exit status. */
    int awaitExit() throws InterruptedException {
        return awaitExit(PATIENCE);
    }

    /** Waits up to {@code timeout} for the command to end and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            fail("the command still runs after " + timeout + "; stderr:%n%s", stderr());
        }
        return process.exitValue();
    }

    /** Standard error so far; complete once the command has ended. */
    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    /** The lines of standard error, after the command has ended. */
    List<String> stderrLines() throws InterruptedException {
        assertThat(process.isAlive()).as("the command has ended").isFalse();
        stderrReader.join(PATIENCE);
        return stderr().lines().toList();
    }

    /** Kills the command if it still runs and waits for it to be gone. */
    @Override
    public void close() {
        process.destroyForcibly();
        readPastFirstLine.countDown();   // the reader then sees the end of the stream and ends
        try {
            process.waitFor(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // the kill is sent; the test is being stopped anyway
        }
    }

    private void readStdout() {
        InputStream in = process.getInputStream();
        try {
            if (readPastFirstLine.getCount() > 0) {
                // byte by byte, so as to take nothing from the pipe beyond the first line
                var first = new java.io.ByteArrayOutputStream();
                for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
                    first.write(b);
                }
                stdout.add(first.toString(StandardCharsets.UTF_8));
                readPastFirstLine.await();
            }
        } catch (IOException e) {
            stdout.add(END_OF_STREAM);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try (BufferedReader lines = reader(in)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                stdout.add(line);
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            stdout.add(END_OF_STREAM);
        }
    }

    private void readStderr() {
        try (BufferedReader lines = reader(process.getErrorStream())) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (stderr) {
                    stderr.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
