package dev.socketserver.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The systemd units of {@code deploy/systemd} work as written: each pair is run the way systemd
 * would run it, through {@code systemd-socket-activate} with the socket unit's settings and the
 * service's {@code ExecStart} arguments (on a free port instead of the unit's), and the service's
 * stop timeout leaves the drain its time.
 */
@Timeout(60)
class DeploymentUnitsTest {
    private static final Path UNITS = Path.of("..", "deploy", "systemd");

    @BeforeAll
    static void launcherIsInstalled() {
        assumeTrue(SocketActivationTest.onPath("systemd-socket-activate"),
                "systemd-socket-activate is not installed (OS package systemd; .ci/install-os-tools installs it): the units are not run here");
    }

    @Test
    void theSocketActivatedServiceServesItsNamedSocketAndStopsWithinItsTimeout() throws Exception {
        Map<String, String> socket = unit("socketserver-echo.socket");
        Map<String, String> service = unit("socketserver-echo.service");
        Duration drain = Durations.parse(argumentAfter(service, "--drain"));
        assertThat(Durations.parse(service.get("TimeoutStopSec"))).as("systemd waits longer than the drain before SIGKILL").isGreaterThan(drain);
        assertThat(service.get("KillMode")).as("SIGTERM to the main process, which drains its workers").isEqualTo("mixed");

        int port = freePort();
        List<String> launcher = List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port, "--fdname=" + socket.get("FileDescriptorName"));
        try (var cli = CliProcess.startThrough(launcher, execStartArguments(service))) {
            try (var client = connectWhenListening(port)) {
                Clients.send(client, "deployed\n");
                assertThat(Clients.read(client, 9)).isEqualTo("deployed\n");
            } catch (IOException e) {
                throw new AssertionError("stderr: " + cli.stderr(), e);
            }
            assertThat(cli.awaitListening()).isEqualTo("tcp://127.0.0.1:" + port);
            if (service.containsKey("ExecReload")) {
                // systemd's MAINPID stays the same only if the main process survives the reload: a workers' supervisor
                assertThat(argumentAfter(service, "--concurrency")).as("ExecReload only with worker processes").startsWith("workers:");
                assertThat(service.get("ExecReload")).isEqualTo("/bin/kill -HUP $MAINPID");
                Process hangUp = new ProcessBuilder("kill", "-HUP", Long.toString(cli.pid())).inheritIO().start();   // the launcher execs the command
                assertThat(hangUp.waitFor()).isZero();
                Clients.awaitTrue("the reload's new workers to serve", () -> cli.stderr().contains("generation 2 serves"));
                try (var client = Clients.connect(new InetSocketAddress("127.0.0.1", port))) {
                    Clients.send(client, "reloaded\n");
                    assertThat(Clients.read(client, 9)).isEqualTo("reloaded\n");
                }
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void theInetdStylePairServesEachConnectionInAProcessOfItsOwn() throws Exception {
        Map<String, String> socket = unit("socketserver-echo-inetd.socket");
        Map<String, String> service = unit("socketserver-echo-inetd@.service");
        assertThat(socket.get("Accept")).isEqualTo("yes");

        int port = freePort();
        List<String> launcher = List.of("systemd-socket-activate", "--accept", "-l", "127.0.0.1:" + port);
        try (var cli = CliProcess.startThrough(launcher, execStartArguments(service))) {
            for (int i = 0; i < 2; i++) {
                try (var client = connectWhenListening(port)) {
                    Clients.send(client, "conn " + i + "\n");
                    assertThat(Clients.read(client, 7)).isEqualTo("conn " + i + "\n");
                }
            }
        }
    }

    /** The arguments of the service's ExecStart after the program: what the test's command gets. */
    private static String[] execStartArguments(Map<String, String> service) {
        String[] words = service.get("ExecStart").trim().split("\\s+");
        assertThat(words[0]).endsWith("/socketserver");
        return Arrays.copyOfRange(words, 1, words.length);
    }

    private static String argumentAfter(Map<String, String> service, String flag) {
        List<String> words = List.of(service.get("ExecStart").trim().split("\\s+"));
        int at = words.indexOf(flag);
        assertThat(at).as(flag + " in ExecStart").isPositive();
        return words.get(at + 1);
    }

    /** The settings of a unit file, the last one of each key (comments and section headers dropped). */
    private static Map<String, String> unit(String name) throws IOException {
        Path file = UNITS.resolve(name);
        assertThat(file).exists();
        Map<String, String> settings = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String text = line.strip();
            int equals = text.indexOf('=');
            if (text.isEmpty() || text.startsWith("#") || text.startsWith("[") || equals < 0) {
                continue;
            }
            settings.put(text.substring(0, equals).strip(), text.substring(equals + 1).strip());
        }
        return settings;
    }

    /** Connects once the launcher listens: the launcher starts the command on this first client. */
    private static java.nio.channels.SocketChannel connectWhenListening(int port) throws IOException {
        var address = new InetSocketAddress("127.0.0.1", port);
        List<IOException> failures = new ArrayList<>();
        long deadline = System.nanoTime() + CliProcess.PATIENCE.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                return Clients.connect(address);
            } catch (IOException refused) {
                failures.add(refused);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);   // polls until the deadline
            }
        }
        throw new AssertionError("the launcher did not listen on " + address + ": " + failures.getLast());
    }

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
