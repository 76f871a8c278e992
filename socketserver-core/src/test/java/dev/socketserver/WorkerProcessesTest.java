package dev.socketserver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.socketserver.ResourcesReturnToBaselineTest.awaitAtMost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link Concurrency#workerProcesses}: a supervisor JVM ({@link WorkerFixture}, started here as
 * a child process) runs worker JVMs that share its listening socket.
 */
@Timeout(120)
class WorkerProcessesTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private final List<Supervisor> supervisors = new ArrayList<>();

    /** A supervisor process: its pid, address, and the log lines it wrote to standard error. */
    private static final class Supervisor {
        final Process process;
        final SocketAddress address;
        final List<String> log = new CopyOnWriteArrayList<>();
        final List<Long> logTimes = new CopyOnWriteArrayList<>();

        Supervisor(String... args) throws IOException {
            this(List.of(), args);
        }

        /** @param prefix a command that runs the JVM, such as {@code prlimit --nofile=N:N}; workers do not repeat it */
        Supervisor(List<String> prefix, String... args) throws IOException {
            List<String> command = new ArrayList<>(InheritedConnection.javaCommand(WorkerFixture.class, args));
            // every worker repeats these: a small, quick-starting JVM
            command.addAll(1, List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
            command.addAll(0, prefix);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove(Concurrency.WORKER_ENVIRONMENT_VARIABLE);
            process = builder.start();
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader err = process.errorReader(StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = err.readLine()) != null) {
                        log.add(line);
                        logTimes.add(System.nanoTime());
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null || !first.startsWith("listening ")) {
                throw new IOException("the supervisor did not start: " + first + " " + log);
            }
            String uri = first.substring("listening ".length());
            if (uri.startsWith("unix:")) {
                address = UnixDomainSocketAddress.of(uri.substring(5));
            } else {
                URI parsed = URI.create(uri);
                address = new InetSocketAddress(InetAddress.getByName(parsed.getHost()), parsed.getPort());
            }
        }

        long pid() {
            return process.pid();
        }

        /** The worker JVMs alive now: the supervisor's children. */
        Set<Long> workers() {
            Set<Long> pids = new HashSet<>();
            process.toHandle().children().filter(ProcessHandle::isAlive).forEach(h -> pids.add(h.pid()));
            return pids;
        }

        /** Every process below the supervisor, now. */
        List<ProcessHandle> descendants() {
            return process.toHandle().descendants().toList();
        }

        void signal(String signal) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start();
            assertThat(kill.waitFor()).isZero();
        }
    }

    private Supervisor start(String... args) throws IOException {
        return start(List.of(), args);
    }

    private Supervisor start(List<String> prefix, String... args) throws IOException {
        Supervisor supervisor = new Supervisor(prefix, args);
        supervisors.add(supervisor);
        return supervisor;
    }

    @AfterEach
    void killLeftovers() {
        for (Supervisor s : supervisors) {
            List<ProcessHandle> below = s.descendants();
            s.process.destroyForcibly();
            below.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Asks a fresh connection for the pid of the worker that serves it. */
    private static long askPid(SocketAddress address) throws IOException {
        try (StreamClient client = StreamClient.connect(address)) {
            client.send("pid\n");
            return Long.parseLong(client.readLine());
        }
    }

    private static void awaitWorkers(Supervisor supervisor, int count) {
        assertThat(awaitAtMost(STARTUP, () -> supervisor.workers().size() == count))
                .as("%d workers running; log: %s", count, supervisor.log).isTrue();
    }

    private static void assertAllGone(List<ProcessHandle> processes) {
        assertThat(awaitAtMost(Duration.ofSeconds(30), () -> processes.stream().noneMatch(ProcessHandle::isAlive)))
                .as("every worker exited: %s", processes).isTrue();
    }

    @Test
    void requestsAreSpreadOverSeveralWorkerPids() throws Exception {
        // one request at a time per worker: three held connections need three workers
        Supervisor supervisor = start("tcp", "3", "bounded:1");
        awaitWorkers(supervisor, 3);   // a worker still starting its JVM may take longer than a client's read timeout on a busy machine
        List<StreamClient> clients = new ArrayList<>();
        Set<Long> pids = new HashSet<>();
        try {
            for (int i = 0; i < 3; i++) {
                StreamClient client = StreamClient.connect(supervisor.address);
                clients.add(client);
                client.send("hold\n");
            }
            for (StreamClient client : clients) {
                String reply = client.readLine();
                assertThat(reply).startsWith("held ");
                pids.add(Long.parseLong(reply.substring(5)));
            }
            assertThat(pids).hasSize(3).doesNotContain(supervisor.pid(), ProcessHandle.current().pid());
            assertThat(supervisor.workers()).containsAll(pids);
            for (StreamClient client : clients) {
                client.send("release\n");
                assertThat(client.readLine()).startsWith("released ");
            }
        } finally {
            for (StreamClient client : clients) {
                client.close();
            }
        }
        List<ProcessHandle> workers = supervisor.descendants();
        supervisor.signal("TERM");
        assertThat(supervisor.process.waitFor()).isEqualTo(143);   // the JVM's status after SIGTERM
        assertAllGone(workers);
    }

    @Test
    void aWorkerKilledDuringLoadIsRestartedAndLaterClientsAreAllServed() throws Exception {
        Supervisor supervisor = start("tcp", "2", "virtual");
        awaitWorkers(supervisor, 2);
        Set<Long> before = supervisor.workers();
        long victim = before.iterator().next();

        // load from another thread while the worker dies; its own connections may fail
        var load = Thread.ofPlatform().start(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < end) {
                try {
                    askPid(supervisor.address);
                } catch (IOException | RuntimeException e) {
                    // served by the killed worker
                }
            }
        });
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor()).isZero();
        load.join();

        assertThat(awaitAtMost(STARTUP, () -> {
            Set<Long> now = supervisor.workers();
            return now.size() == 2 && !now.contains(victim);
        })).as("a new worker replaced pid %d; log: %s", victim, supervisor.log).isTrue();
        assertThat(supervisor.log).anyMatch(line -> line.contains("pid " + victim + " was killed by SIGKILL"));

        Set<Long> servedBy = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            servedBy.add(askPid(supervisor.address));
        }
        assertThat(servedBy).doesNotContain(victim);
        assertThat(supervisor.workers()).containsAll(servedBy);
        assertThat(zombies(supervisor)).isEmpty();
    }

    @Test
    void sigtermDrainsAnInFlightRequestToCompletion() throws Exception {
        Supervisor supervisor = start("tcp", "2", "virtual");
        try (StreamClient held = StreamClient.connect(supervisor.address)) {
            held.send("hold\n");
            assertThat(held.readLine()).startsWith("held ");
            held.send("rel");   // half a request: not a quiet point, so the drain waits for the rest
            List<ProcessHandle> workers = supervisor.descendants();

            supervisor.signal("TERM");
            // draining: the listening socket is closed everywhere, so new clients are refused
            assertThat(awaitAtMost(Duration.ofSeconds(30), () -> {
                try {
                    StreamClient.connect(supervisor.address).close();
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            })).as("new connections refused during the drain").isTrue();
            assertThat(supervisor.process.isAlive()).as("the supervisor waits for the held request").isTrue();

            held.send("ease\n");
            assertThat(held.readLine()).startsWith("released ");
            held.shutdownOutput();
            assertThat(held.readToEof()).isEmpty();
            assertThat(supervisor.process.waitFor()).isEqualTo(143);
            assertAllGone(workers);
        }
    }

    @Test
    void aWorkerThatExitsAtOnceIsRestartedWithAGrowingDelay() throws Exception {
        Supervisor supervisor = start("tcp", "1", "virtual", "crash");
        Pattern restart = Pattern.compile("worker 1 of .*: pid (\\d+) exited with status 3 after \\d+ ms; starting it again in (\\d+) ms");
        assertThat(awaitAtMost(STARTUP, () -> supervisor.log.stream().filter(l -> restart.matcher(l).find()).count() >= 4))
                .as("four restarts logged: %s", supervisor.log).isTrue();

        List<Long> delays = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < supervisor.log.size(); i++) {
            Matcher m = restart.matcher(supervisor.log.get(i));
            if (m.find()) {
                delays.add(Long.parseLong(m.group(2)));
                times.add(supervisor.logTimes.get(i));
            }
        }
        assertThat(delays.subList(0, 4)).containsExactly(100L, 200L, 400L, 800L);
        for (int i = 1; i < 4; i++) {
            // the next exit comes no sooner than the delay before that worker was started
            assertThat(Duration.ofNanos(times.get(i) - times.get(i - 1))).isGreaterThanOrEqualTo(Duration.ofMillis(delays.get(i - 1)));
        }
        supervisor.signal("TERM");
        assertThat(supervisor.process.waitFor()).isEqualTo(143);
    }

    @Test
    void aStoppedWorkerIsKilledAndReplacedAfterTheWorkerTimeout() throws Exception {
        // one request at a time per worker: two held connections show two workers that serve
        Supervisor supervisor = start("tcp", "2", "bounded:1", "timeout=3S");
        List<Long> serving = new ArrayList<>();
        List<StreamClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                StreamClient client = StreamClient.connect(supervisor.address);
                held.add(client);
                client.send("hold\n");
            }
            for (StreamClient client : held) {
                serving.add(Long.parseLong(client.readLine().substring("held ".length())));
                client.send("release\n");
                assertThat(client.readLine()).startsWith("released ");
            }
        } finally {
            for (StreamClient client : held) {
                client.close();
            }
        }
        long stopped = serving.getFirst();
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(stopped)).start().waitFor()).isZero();

        assertThat(awaitAtMost(STARTUP, () -> supervisor.log.stream().anyMatch(line ->
                line.contains("(pid " + stopped + ") has not served for 3000 ms (stopped or stuck); killing it"))))
                .as("the stopped worker is found out; log: %s", supervisor.log).isTrue();
        assertThat(awaitAtMost(STARTUP, () -> supervisor.workers().size() == 2 && !supervisor.workers().contains(stopped)))
                .as("a successor runs; log: %s", supervisor.log).isTrue();
        assertThat(supervisor.workers()).contains(serving.getLast());   // the healthy worker kept its place
        assertThat(askPid(supervisor.address)).isNotEqualTo(stopped);
        assertThat(zombies(supervisor)).isEmpty();
    }

    /** The supervisor's children that have exited but were not reaped. */
    private static List<Long> zombies(Supervisor supervisor) {
        return supervisor.process.toHandle().children().map(ProcessHandle::pid).filter(pid -> {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
            } catch (IOException e) {
                return false;   // gone: reaped
            }
        }).toList();
    }

    @Test
    void workersOfADeadSupervisorExit() throws Exception {
        Supervisor supervisor = start("tcp", "2", "virtual");
        awaitWorkers(supervisor, 2);
        List<ProcessHandle> workers = supervisor.descendants();
        supervisor.signal("KILL");
        supervisor.process.waitFor();
        assertAllGone(workers);
    }

    @Test
    void workersOutOfDescriptorsKeepTheirConnectionsTheirSupervisorAndRecover() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit (util-linux)");
        int limit = 160;
        Supervisor supervisor = start(List.of("/usr/bin/prlimit", "--nofile=" + limit + ":" + limit), "tcp", "2", "virtual");
        awaitWorkers(supervisor, 2);
        Set<Long> workers = supervisor.workers();
        List<StreamClient> held = new ArrayList<>();
        List<SocketChannel> fillers = new ArrayList<>();
        try {
            // connections served before the descriptors run out, by both workers
            Set<Long> servedBy = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                StreamClient client = StreamClient.connect(supervisor.address);
                held.add(client);
                client.send("pid\n");
                servedBy.add(Long.parseLong(client.readLine()));
            }
            // more connections than both workers have descriptors: the rest wait in the backlog
            for (int i = 0; i < 2 * limit + 40; i++) {
                fillers.add(SocketChannel.open(supervisor.address));
            }
            assertThat(awaitAtMost(Duration.ofSeconds(30), () -> workers.stream().allMatch(pid -> openDescriptors(pid) >= limit - 2)))
                    .as("both workers ran out of descriptors; log: %s", supervisor.log).isTrue();
            // stay out of descriptors long enough for any polling watch of the supervisor to look (and fail)
            awaitAtMost(Duration.ofSeconds(3), () -> supervisor.log.stream().anyMatch(line -> line.contains("has exited")));
            for (SocketChannel filler : fillers) {
                filler.close();
            }
            fillers.clear();

            for (StreamClient client : held) {
                try {
                    client.send("pid\n");
                    assertThat(Long.parseLong(client.readLine())).isIn(servedBy);
                } catch (IOException | NumberFormatException e) {
                    throw new AssertionError("a connection held through the shortage failed: " + e + "; log: " + supervisor.log, e);
                }
            }
            // new clients are served again once descriptors are free (the accept loop retries within 1 s)
            for (int i = 0; i < 10; i++) {
                assertThat(askPidWithin(supervisor.address, Duration.ofSeconds(10))).isIn(workers);
            }
            assertThat(supervisor.log).noneMatch(line -> line.contains("has exited"));
            assertThat(supervisor.workers()).as("the same workers still run; log: %s", supervisor.log).isEqualTo(workers);
            assertThat(supervisor.process.isAlive()).isTrue();
        } finally {
            for (SocketChannel filler : fillers) {
                filler.close();
            }
            for (StreamClient client : held) {
                client.close();
            }
        }
        supervisor.signal("TERM");
        assertThat(supervisor.process.waitFor()).isEqualTo(143);
    }

    /** How many descriptors a process has open now, or -1 if it is gone. */
    private static int openDescriptors(long pid) {
        String[] fds = new java.io.File("/proc/" + pid + "/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /** Asks a fresh connection for its worker's pid; a connection that is not served within {@code timeout} fails. */
    private static long askPidWithin(SocketAddress address, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write("pid\n".getBytes(StandardCharsets.UTF_8));
            String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("closed without an answer");
            }
            return Long.parseLong(line);
        }
    }

    @Test
    void killingTheSupervisorLeavesNoSharedFileAndItsWorkersStopListeningDrainAndExit() throws Exception {
        Supervisor supervisor = start("tcp", "2", "virtual");
        awaitWorkers(supervisor, 2);
        try (StreamClient held = StreamClient.connect(supervisor.address)) {
            held.send("hold\n");
            assertThat(held.readLine()).startsWith("held ");
            assertThat(sharedFilesOf(supervisor.pid())).as("nothing in /dev/shm that a kill -9 could leave behind").isEmpty();
            List<ProcessHandle> workers = supervisor.descendants();

            supervisor.signal("KILL");
            supervisor.process.waitFor();
            assertThat(awaitAtMost(Duration.ofSeconds(1), () -> {
                try {
                    StreamClient.connect(supervisor.address).close();
                    return false;
                } catch (IOException refused) {
                    return true;
                }
            })).as("new connections refused within 1 s of the kill; log: %s", supervisor.log).isTrue();
            assertThat(sharedFilesOf(supervisor.pid())).isEmpty();

            // the request in flight is still answered, then the worker closes and exits
            held.send("release\n");
            assertThat(held.readLine()).startsWith("released ");
            held.shutdownOutput();
            assertThat(held.readToEof()).isEmpty();
            assertAllGone(workers);
        }
        assertThat(sharedFilesOf(supervisor.pid())).isEmpty();
    }

    /** The files in /dev/shm named after the supervisor {@code pid}. */
    private static List<String> sharedFilesOf(long pid) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return List.of();
        }
        try (var files = Files.list(shm)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.contains("-" + pid + "-")).toList();
        }
    }

    @Test
    void unixStreamWorkersShareTheSocketFileAndTheSupervisorRemovesIt(@TempDir(factory = ShortTempDir.class) Path dir) throws Exception {
        Path socket = dir.resolve("w.sock");
        Supervisor supervisor = start("unix:" + socket, "2", "virtual");
        awaitWorkers(supervisor, 2);
        long first = askPid(supervisor.address);
        // a worker that dies must not take the socket file with it
        assertThat(new ProcessBuilder("kill", "-9", Long.toString(first)).start().waitFor()).isZero();
        assertThat(awaitAtMost(STARTUP, () -> !supervisor.workers().contains(first) && supervisor.workers().size() == 2)).isTrue();
        assertThat(socket).exists();
        assertThat(askPid(supervisor.address)).isNotEqualTo(first);
        supervisor.signal("TERM");
        assertThat(supervisor.process.waitFor()).isEqualTo(143);
        assertThat(socket).doesNotExist();
    }

    @Test
    void aProgramStartedAsAWorkerWithoutASocketSaysSo() throws Exception {
        List<String> command = new ArrayList<>(InheritedConnection.javaCommand(WorkerFixture.class, "tcp", "2", "virtual"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put(Concurrency.WORKER_ENVIRONMENT_VARIABLE, "1");
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).isEqualTo(1);
        assertThat(err).contains("standard input is not a listening socket").contains("SOCKETSERVER_WORKER=1");
    }

    @Test
    void theSupervisorInThisJvmRefusesHandleRequestAndStartsNothingUntilServed() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), conn -> { },
                Concurrency.workerProcesses(2))) {
            assertThat(server.concurrency()).hasToString("workers:2");
            assertThatThrownBy(server::handleRequest).isInstanceOf(IllegalStateException.class).hasMessageContaining("serveForever");
            assertThat(server.workerPids()).isEmpty();
        }
    }

    @Test
    void workerProcessesRejectsNonsense() {
        assertThatThrownBy(() -> Concurrency.workerProcesses(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
        // an inner model that is itself a process model does not compile: see ConcurrencyPairingTest
        assertThat(Concurrency.workerProcesses(3, Concurrency.bounded(5))).hasToString("workers:3 of bounded:5");
        assertThat(Concurrency.isWorkerProcess()).isFalse();
    }
}
