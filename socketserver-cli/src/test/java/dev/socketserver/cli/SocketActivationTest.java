package dev.socketserver.cli;

import dev.socketserver.UnixAddress;
import dev.socketserver.UnixDatagramSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Socket activation, with systemd's own launcher ({@code systemd-socket-activate}, OS package
 * {@code systemd}; it runs without systemd as PID 1): it binds, waits for the first client, passes
 * the socket as descriptor 3 with {@code LISTEN_FDS} and execs the command, which serves that
 * socket, the first client included, and reports its address in the listening line.
 */
@Timeout(60)
class SocketActivationTest {
    private static final String LAUNCHER = "systemd-socket-activate";

    @TempDir
    Path directory;

    @BeforeAll
    static void launcherIsInstalled() {
        assumeTrue(onPath(LAUNCHER), LAUNCHER + " is not installed (OS package systemd; .ci/install-os-tools installs it): "
                + "socket activation is not tested here");
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async", "workers:2"})
    void servesTheTcpSocketSystemdPassed(String concurrency) throws Exception {
        int port = freePort();
        try (var cli = CliProcess.startThrough(launcher("-l", "127.0.0.1:" + port), "echo", "--listen", "systemd:", "--concurrency", concurrency)) {
            awaitLauncher(port);
            for (int i = 0; i < 3; i++) {   // with workers:2, more than one connection reaches more than one worker
                try (var client = Clients.connect(new InetSocketAddress("127.0.0.1", port))) {
                    Clients.send(client, "hello " + i + "\n");
                    assertThat(Clients.read(client, 8)).isEqualTo("hello " + i + "\n");
                }
            }
            assertThat(cli.awaitListening()).isEqualTo("tcp://127.0.0.1:" + port);
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void servesTheUdpSocketSystemdPassed(String concurrency) throws Exception {
        int port = freePort();
        try (var cli = CliProcess.startThrough(launcher("--datagram", "-l", "127.0.0.1:" + port), "echo", "--listen", "systemd:", "--concurrency", concurrency)) {
            awaitLauncherOutput(cli, port);
            byte[] reply = Clients.exchangeDatagram(new InetSocketAddress("127.0.0.1", port), "ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(cli.awaitListening()).isEqualTo("udp://127.0.0.1:" + port);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void servesTheUnixSocketSystemdPassedAndLeavesItsFile(String concurrency) throws Exception {
        Path socket = directory.resolve("activated.sock");
        try (var cli = CliProcess.startThrough(launcher("-l", socket.toString()), "echo", "--listen", "systemd:", "--concurrency", concurrency)) {
            Clients.awaitTrue("the launcher to make " + socket, () -> Files.exists(socket));
            try (var client = Clients.connectUnix(socket)) {
                Clients.send(client, "over unix\n");
                assertThat(Clients.read(client, 10)).isEqualTo("over unix\n");
            }
            assertThat(cli.awaitListening()).isEqualTo("unix:" + socket);
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            assertThat(socket).as("the file is systemd's: it keeps the socket across restarts").exists();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void servesTheUnixDatagramSocketSystemdPassed(String concurrency) throws Exception {
        Path socket = directory.resolve("activated.dgram");
        try (var cli = CliProcess.startThrough(launcher("--datagram", "-l", socket.toString()), "echo", "--listen", "systemd:", "--concurrency", concurrency);
             var client = UnixDatagramSocket.autobind()) {
            Clients.awaitTrue("the launcher to make " + socket, () -> Files.exists(socket));
            client.send("ping".getBytes(StandardCharsets.US_ASCII), UnixAddress.of(socket));
            assertThat(new String(client.receive(CliProcess.PATIENCE).data(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(cli.awaitListening()).isEqualTo("unixgram:" + socket);
        }
    }

    @Test
    void picksTheSocketNamedByItsFileDescriptorName() throws Exception {
        int web = freePort();
        int admin = freePort();
        List<String> launcher = launcher("-l", "127.0.0.1:" + web, "-l", "127.0.0.1:" + admin, "--fdname=web:admin");
        try (var cli = CliProcess.startThrough(launcher, "echo", "--listen", "systemd:admin")) {
            awaitLauncher(admin);
            try (var client = Clients.connect(new InetSocketAddress("127.0.0.1", admin))) {
                Clients.send(client, "admin\n");
                assertThat(Clients.read(client, 6)).isEqualTo("admin\n");
            }
            assertThat(cli.awaitListening()).isEqualTo("tcp://127.0.0.1:" + admin);
        }
        try (var cli = CliProcess.startThrough(launcher, "echo", "--listen", "systemd:")) {
            awaitLauncher(web);
            assertThat(cli.awaitExit()).isEqualTo(1);
            assertThat(ownLines(cli)).containsExactly(
                    "socketserver: systemd passed 2 sockets ('web', 'admin'): choose one by its FileDescriptorName (systemd:NAME)");
        }
        try (var cli = CliProcess.startThrough(launcher, "echo", "--listen", "systemd:other")) {
            awaitLauncher(web);
            assertThat(cli.awaitExit()).isEqualTo(1);
            assertThat(ownLines(cli)).containsExactly("socketserver: systemd passed no socket named 'other' (it passed 'web', 'admin')");
        }
    }

    @Test
    void withoutSocketActivationSystemdIsAnErrorThatSaysWhy() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "systemd:");
        assertThat(finished.status()).isEqualTo(1);
        assertThat(finished.stderr()).singleElement().asString()
                .startsWith("socketserver: no socket from systemd: LISTEN_FDS is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"systemd:", "stdin:"})
    void oneConnectionAcceptedBySystemdIsServedAndTheCommandEnds(String listen) throws Exception {
        int port = freePort();
        List<String> launcher = listen.equals("stdin:")
                ? launcher("--inetd", "--accept", "-l", "127.0.0.1:" + port)   // inetd's nowait: the connection on standard input and output
                : launcher("--accept", "-l", "127.0.0.1:" + port);             // Accept=yes: the connection as descriptor 3
        try (var cli = CliProcess.startThrough(launcher, "echo", "--listen", listen)) {
            awaitLauncherOutput(cli, port);
            for (int i = 0; i < 2; i++) {   // a process for each connection
                try (var client = Clients.connect(new InetSocketAddress("127.0.0.1", port))) {
                    Clients.send(client, "one " + i + "\n");
                    assertThat(Clients.read(client, 6)).isEqualTo("one " + i + "\n");
                    client.shutdownOutput();
                    assertThat(Clients.endsWithoutData(client)).as("the command ends the connection at EOF").isTrue();
                }
            }
            assertThat(cli.stderr()).doesNotContain("socketserver:");
        }
    }

    @Test
    void stdinThatIsNotASocketSaysSo() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "stdin:");
        assertThat(finished.status()).isEqualTo(1);
        assertThat(finished.stderr()).singleElement().asString()
                .startsWith("socketserver: standard input is not a connected socket");
    }

    /** Waits until the launcher listens on {@code port}, and connects once: the launcher starts the command on the first client. */
    private static void awaitLauncher(int port) {
        Clients.awaitTrue("the launcher to listen on " + port, () -> {
            try (var probe = new java.net.Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until the launcher says it listens on {@code port}, without connecting. */
    private static void awaitLauncherOutput(CliProcess cli, int port) {
        Clients.awaitTrue("the launcher to listen on " + port, () -> cli.stderr().contains("Listening on 127.0.0.1:" + port));
    }

    /** The command's own lines on standard error, without the launcher's. */
    private static List<String> ownLines(CliProcess cli) throws InterruptedException {
        return cli.stderrLines().stream().filter(line -> line.startsWith("socketserver:")).toList();
    }

    private static List<String> launcher(String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER));
        command.addAll(List.of(args));
        return command;
    }

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
