package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGHUP reloads without refusing a client: {@code workers:N} starts a new generation of workers
 * and drains the old one; a single process starts its successor with the listening socket, waits
 * until it serves, then drains and exits 0. Under 50 connections of echo load, three reloads in a
 * row: no connect fails, no reply is cut short or changed, a connection an old process closes is
 * closed between requests (the client then reconnects, and each such retry succeeds), and every
 * old process is gone at the end. What fails to start leaves the old server serving, logged once.
 */
@Timeout(120)
class ReloadTest {
    private static final int CONNECTIONS = 50;
    private static final int RELOADS = 3;
    /**
     * Each client's pause between a reply and its next request: 50 clients then send about 10,000
     * requests a second, and leave the CPU that a reload's new JVMs need to start (on two cores,
     * clients that never pause slow each start down by seconds).
     */
    private static final Duration THINK_TIME = Duration.ofMillis(5);

    @TempDir
    Path directory;

    @Test
    void workersReloadThreeTimesUnderLoadWithoutAFailedRequest() throws Exception {
        Set<String> shmBefore = socketserverShmFiles();
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "workers:2", "--drain", "1s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            Clients.awaitTrue("two workers", () -> workers(cli).size() == 2);
            List<Long> old = new ArrayList<>();
            int descriptorsBefore;
            var load = EchoLoad.start(server, CONNECTIONS, THINK_TIME, EchoLoad.KEEP_CONNECTIONS);
            try (load) {
                load.awaitMoreRequests(200);
                descriptorsBefore = descriptors(cli.pid()).size();
                for (int i = 0; i < RELOADS; i++) {
                    Set<Long> generation = workers(cli);
                    old.addAll(generation);
                    hangUp(cli.pid());
                    Clients.awaitTrue("a new generation of two workers in place of " + generation,
                            () -> workers(cli).size() == 2 && workers(cli).stream().noneMatch(generation::contains));
                    load.awaitMoreRequests(200);
                }
                load.stop();
            }
            assertNoFailures(load, "workers:2: " + RELOADS + " reloads");
            assertAllGone(old);
            assertThat(descriptors(cli.pid())).as("the supervisor's descriptors after the reloads").hasSize(descriptorsBefore);
            assertThat(descriptors(cli.pid()).stream().filter(link -> link.contains("memfd:")).count())
                    .as("heartbeat memory: one generation's").isEqualTo(1);
            List<ProcessHandle> last = cli.handle().descendants().toList();
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            assertAllGone(last.stream().map(ProcessHandle::pid).toList());
            assertThat(cli.stderr()).contains("reload of tcp://").doesNotContain("failed");
        }
        assertThat(socketserverShmFiles()).isEqualTo(shmBefore);
    }

    @Test
    void aVirtualThreadServerHandsItsSocketToItsSuccessorThreeTimes() throws Exception {
        singleProcessReloads("virtual");
    }

    @Test
    void anEventLoopServerHandsItsSocketToItsSuccessorThreeTimes() throws Exception {
        singleProcessReloads("async");
    }

    @Test
    void aUnixSocketServerHandsItsSocketFileToItsSuccessor() throws Exception {
        Path socket = directory.resolve("echo.sock");
        Path stdout = directory.resolve("stdout");
        Path stderr = directory.resolve("stderr");
        long successor = 0;
        try (var cli = CliProcess.startWithOutputTo(stdout, stderr, "echo", "--listen", "unix:" + socket, "--drain", "1s")) {
            assertThat(awaitLine(stdout, 0, stderr)).isEqualTo("listening on unix:" + socket);
            echoesOver(socket, "before");
            hangUp(cli.pid());
            assertThat(awaitLine(stdout, 1, stderr)).isEqualTo("listening on unix:" + socket);
            successor = ProcessHandle.of(cli.pid()).orElseThrow().children().map(ProcessHandle::pid).findFirst().orElseThrow();
            assertThat(cli.awaitExit()).isZero();
            assertThat(socket).as("the socket file, now the successor's").exists();
            echoesOver(socket, "after");
            ProcessHandle.of(successor).orElseThrow().destroy();   // SIGTERM
            long last = successor;
            Clients.awaitTrue("the successor to exit", () -> gone(last));
            assertThat(socket).as("removed by the successor as it stopped").doesNotExist();
        } finally {
            ProcessHandle.of(successor).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void echoesOver(Path socket, String text) throws IOException {
        try (var client = Clients.connectUnix(socket)) {
            Clients.send(client, text);
            assertThat(Clients.read(client, text.length())).isEqualTo(text);
        }
    }

    @Test
    void aSuccessorThatCannotStartLeavesTheServerServing() throws Exception {
        failedReload("virtual");
    }

    @Test
    void aNewGenerationThatCannotStartLeavesTheWorkersServing() throws Exception {
        failedReload("workers:2");
    }

    private void singleProcessReloads(String mode) throws Exception {
        List<Long> processes = new ArrayList<>();
        Path stdout = directory.resolve("stdout");
        Path stderr = directory.resolve("stderr");
        try (var cli = CliProcess.startWithOutputTo(stdout, stderr, "echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode, "--drain", "1s")) {
            String listening = awaitLine(stdout, 0, stderr);
            assertThat(listening).startsWith("listening on tcp://127.0.0.1:");
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.substring(listening.lastIndexOf(':') + 1)));
            long current = cli.pid();
            processes.add(current);
            var load = EchoLoad.start(server, CONNECTIONS, THINK_TIME, EchoLoad.KEEP_CONNECTIONS);
            try (load) {
                load.awaitMoreRequests(200);
                long firstNonSockets = nonSockets(current);
                for (int i = 1; i <= RELOADS; i++) {
                    long predecessor = current;
                    hangUp(predecessor);
                    assertThat(awaitLine(stdout, i, stderr)).as("the successor's listening line").isEqualTo(listening);
                    current = ProcessHandle.of(predecessor).orElseThrow().children().map(ProcessHandle::pid).findFirst().orElseThrow();
                    processes.add(current);
                    Clients.awaitTrue("pid " + predecessor + " to drain and exit; stderr:\n" + text(stderr), () -> gone(predecessor));
                    load.awaitMoreRequests(200);
                }
                assertThat(nonSockets(current)).as("descriptors other than sockets, last successor against the first process").isEqualTo(firstNonSockets);
                load.stop();
            }
            assertThat(cli.awaitExit()).as("the first process's exit status").isZero();
            assertNoFailures(load, mode + ": " + RELOADS + " reloads");
            List<Long> old = processes.subList(0, processes.size() - 1);
            Clients.awaitTrue("every old process to exit: " + old, () -> old.stream().allMatch(ReloadTest::gone));
            long last = current;
            ProcessHandle.of(last).orElseThrow().destroy();   // SIGTERM
            Clients.awaitTrue("the last successor to exit", () -> gone(last));
            assertThat(text(stderr)).contains("reload: pid").doesNotContain("failed");
        } finally {
            processes.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    void aReloadKeepsTheReadinessSocketAndSkipsTheDrainDelay() throws Exception {
        int readyPort;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            readyPort = probe.getLocalPort();
        }
        InetSocketAddress ready = new InetSocketAddress("127.0.0.1", readyPort);
        Path stdout = directory.resolve("stdout");
        Path stderr = directory.resolve("stderr");
        long successor = 0;
        try (var cli = CliProcess.startWithOutputTo(stdout, stderr, "echo", "--listen", "tcp://127.0.0.1:0",
                "--ready-listen", "tcp://127.0.0.1:" + readyPort, "--drain-delay", "60s", "--drain", "1s")) {
            String listening = awaitLine(stdout, 0, stderr);
            Clients.awaitTrue("the ready socket", () -> accepts(ready));
            hangUp(cli.pid());
            assertThat(awaitLine(stdout, 1, stderr)).as("the successor's listening line, its ready socket bound beside the old one").isEqualTo(listening);
            successor = cli.handle().children().map(ProcessHandle::pid).findFirst().orElseThrow();
            assertThat(cli.awaitExit()).as("the old process exits after its drain, without the minute of --drain-delay").isZero();
            assertThat(accepts(ready)).as("the successor reports ready").isTrue();
            long last = successor;
            ProcessHandle.of(last).orElseThrow().destroy();   // SIGTERM: its ready socket closes at once, then the delay
            Clients.awaitRefused(ready);
            ProcessHandle.of(last).orElseThrow().destroy();   // a second signal: no need to wait out the delay
            Clients.awaitTrue("the successor to exit", () -> gone(last));
        } finally {
            if (successor != 0) {
                ProcessHandle.of(successor).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private static boolean accepts(InetSocketAddress address) {
        try (var socket = new java.net.Socket(address.getAddress(), address.getPort())) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** Line {@code index} (from 0) of {@code file}, once it is there. */
    private static String awaitLine(Path file, int index, Path stderr) {
        Clients.awaitTrue("line " + (index + 1) + " of standard output; stderr:\n" + text(stderr), () -> lines(file).size() > index);
        return lines(file).get(index);
    }

    private static List<String> lines(Path file) {
        String text = text(file);
        return text.lines().limit(text.chars().filter(c -> c == '\n').count()).toList();   // whole lines only
    }

    private static String text(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether process {@code pid} has exited. A successor's predecessor is gone before it, so it is
     * then the child of whoever reaps orphans here, which may leave it a zombie for a while.
     */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException noSuchProcess) {
            return true;
        }
    }

    /** The command runs from a jar that is then moved away, as an upgrade gone wrong would: what a reload starts cannot find its main class. */
    private void failedReload(String mode) throws Exception {
        Path jar = cliJar();
        try (var cli = CliProcess.startWithClassPath(classPathWith(jar), "echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode, "--drain", "1s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            boolean workers = mode.startsWith("workers");
            if (workers) {
                Clients.awaitTrue("two workers", () -> workers(cli).size() == 2);
            }
            Set<Long> before = workers(cli);
            try (var load = EchoLoad.start(server, 10, THINK_TIME, EchoLoad.KEEP_CONNECTIONS)) {
                load.awaitMoreRequests(100);
                // every process has served, so it has loaded what it needs from the jar, which it keeps open
                Clients.awaitTrue("each worker to serve a connection", () -> before.stream().allMatch(pid -> sockets(pid) >= 2));
                Files.move(jar, jar.resolveSibling("moved-away.jar"));
                hangUp(cli.pid());
                Clients.awaitTrue("the reload to fail", () -> cli.stderr().contains("failed"));
                load.awaitMoreRequests(100);
                load.stop();
                assertNoFailures(load, mode + ": a failed reload");
            }
            assertThat(cli.isAlive()).isTrue();
            Clients.awaitTrue("the failed generation gone, the workers of before serving on", () -> workers(cli).equals(before));
            List<String> failures = cli.stderr().lines().filter(line -> line.contains("reload of") && line.contains("failed")).toList();
            assertThat(failures).as("one line on the failure in:%n%s", cli.stderr()).hasSize(1);
            assertThat(failures.getFirst()).contains("serve");
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    /** Call after {@link EchoLoad#stop()}. */
    private static void assertNoFailures(EchoLoad load, String what) {
        System.out.printf("ReloadTest %s: %d requests, %d retries after a quiet close, %d failures%n",
                what, load.requests(), load.retries(), load.failed());
        assertThat(load.failed()).as("failures, such as %s, in %s", load.failures(), what).isZero();
        assertThat(load.requests()).isPositive();
    }

    private static void hangUp(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor(CliProcess.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static Set<Long> workers(CliProcess cli) {
        return cli.handle().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static void assertAllGone(List<Long> pids) {
        Clients.awaitTrue("every old process to exit: " + pids, () -> pids.stream().allMatch(pid -> ProcessHandle.of(pid).isEmpty()));
    }

    /** What each open descriptor of {@code pid} is ({@code socket:[123]}, {@code pipe:[45]}, {@code /memfd:x (deleted)}). */
    private static List<String> descriptors(long pid) throws IOException {
        List<String> links = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    links.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // not open any more
                }
            }
        }
        return links;
    }

    /** How many sockets {@code pid} has open: its listener and its connections. */
    private static long sockets(long pid) {
        try {
            return descriptors(pid).stream().filter(link -> link.startsWith("socket:")).count();
        } catch (IOException gone) {
            return 0;
        }
    }

    private static long nonSockets(long pid) throws IOException {
        return descriptors(pid).stream().filter(link -> !link.startsWith("socket:")).count();
    }

    private static Set<String> socketserverShmFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.contains("socketserver")).collect(Collectors.toSet());
        }
    }

    /** The command's own classes (socketserver-cli's) in a jar of their own. */
    private Path cliJar() throws IOException {
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path jar = directory.resolve("socketserver-cli.jar");
        try (OutputStream file = Files.newOutputStream(jar); var out = new JarOutputStream(file); Stream<Path> walk = Files.walk(classes)) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                Files.copy(path, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** The tests' class path with the command's classes taken from {@code jar}. */
    private static String classPathWith(Path jar) {
        String classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(Path.of(entry).toString().equals(classes) ? jar.toString() : entry);
        }
        if (!entries.contains(jar.toString())) {
            throw new UncheckedIOException(new IOException("the command's classes " + classes + " are not on the class path " + entries));
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
