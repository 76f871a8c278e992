package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** --request-deadline, --socket-mode and the warning for a connection cap that idle clients can fill. */
@Timeout(60)
class OperatorOptionsTest {
    private static final String WARNING = "socketserver: warning: ";

    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void requestDeadlineClosesAClientThatTricklesAByteAtATime(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode,
                "--idle-timeout", "2s", "--request-deadline", "700ms");
             Socket trickler = new Socket()) {
            trickler.connect(cli.awaitInetAddress(), 10_000);
            trickler.setSoTimeout(10_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    trickler.getOutputStream().write('x');   // well inside the idle timeout each time
                    closed = trickler.getInputStream().read() == -1;
                    Thread.sleep(100);   // the client's behaviour under test: one byte every 100 ms
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            assertThat(closed).as("closed by the request deadline although it never went idle").isTrue();
        }
    }

    @ParameterizedTest
    @CsvSource({"unix,virtual,600", "unix,async,600", "unixgram,virtual,660", "unixgram,async,0640"})
    void socketModeSetsTheSocketFilesBits(String scheme, String mode, String octal) throws Exception {
        Path socket = directory.resolve("m.sock");
        try (var cli = CliProcess.start("echo", "--listen", scheme + ":" + socket, "--concurrency", mode, "--socket-mode", octal)) {
            assertThat(cli.awaitListening()).isEqualTo(scheme + ":" + socket);
            String expected = switch (octal) {
                case "600" -> "rw-------";
                case "660" -> "rw-rw----";
                default -> "rw-r-----";
            };
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo(expected);
            if (scheme.equals("unix")) {
                try (var client = Clients.connectUnix(socket)) {
                    Clients.send(client, "still serves");
                    assertThat(Clients.read(client, 12)).isEqualTo("still serves");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1:0", "udp://127.0.0.1:0", "unixgram:@operator-options-test"})
    void socketModeWithoutASocketFileIsAUsageError(String listen) throws Exception {
        var finished = CliProcess.run("echo", "--listen", listen, "--socket-mode", "600");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("--socket-mode applies to a socket file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"999", "rw-------", "07777", ""})
    void aSocketModeThatIsNotOctalIsAUsageError(String octal) throws Exception {
        var finished = CliProcess.run("echo", "--listen", "unix:" + directory.resolve("bad.sock"), "--socket-mode", octal);
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("--socket-mode takes an octal mode");
        assertThat(directory.resolve("bad.sock")).doesNotExist();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--max-connections 2|virtual|--max-connections 2",
            "--max-connections 5|async|--max-connections 5",
            "|sync|--concurrency sync",
            "|bounded:3|--concurrency bounded:3"})
    void aConnectionCapWithoutATimeoutWarnsThatIdleClientsCanLockEveryoneOut(String cap, String mode, String named) throws Exception {
        var args = new java.util.ArrayList<>(java.util.List.of("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode));
        if (cap != null) {
            args.addAll(java.util.List.of(cap.split(" ")));
        }
        try (var cli = CliProcess.start(args.toArray(String[]::new))) {
            cli.awaitInetAddress();
            Clients.awaitTrue("the lock-out warning", () -> cli.stderr().lines().anyMatch(line ->
                    line.equals(WARNING + named + " without --idle-timeout or --request-deadline: "
                            + "that many idle clients lock everyone else out")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--idle-timeout=30s", "--request-deadline=5m"})
    void aConnectionCapWithATimeoutDoesNotWarn(String timeout) throws Exception {
        assertThat(stderrUntilStopped("echo", "--listen", "tcp://127.0.0.1:0", "--max-connections", "2", timeout)).doesNotContain(WARNING);
    }

    @Test
    void noConnectionCapNoWarning() throws Exception {
        assertThat(stderrUntilStopped("echo", "--listen", "tcp://127.0.0.1:0")).doesNotContain(WARNING);
    }

    @Test
    void datagramsHaveNoConnectionsToLockOut() throws Exception {
        assertThat(stderrUntilStopped("echo", "--listen", "udp://127.0.0.1:0", "--concurrency", "sync")).doesNotContain(WARNING);
    }

    @Test
    void requestDeadlineOnADatagramAddressIsAUsageError() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "udp://127.0.0.1:0", "--request-deadline", "1s");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("apply to stream servers");
    }

    /** Everything the command wrote to standard error from its start to its exit on SIGTERM. */
    private static String stderrUntilStopped(String... args) throws IOException, InterruptedException {
        try (var cli = CliProcess.start(args)) {
            cli.awaitListening();
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            return String.join("\n", cli.stderrLines());
        }
    }
}
