package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

@Timeout(60)
class SignalShutdownTest {
    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths


    @Test
    void sigtermExitsZero() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0")) {
            cli.awaitListening();

            cli.sigterm();

            assertThat(cli.awaitExit()).isZero();
            assertThat(cli.stderrLines()).isEmpty();
        }
    }

    @Test
    void sigtermOfAUdpServerExitsZero() throws Exception {
        try (var cli = CliProcess.start("greet", "--listen", "udp://127.0.0.1:0")) {
            cli.awaitListening();

            cli.sigterm();

            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void sigtermExitsZeroAndRemovesTheUnixSocketFile() throws Exception {
        Path socket = directory.resolve("term.sock");
        try (var cli = CliProcess.start("echo", "--listen", "unix:" + socket)) {
            cli.awaitListening();
            assertThat(socket).exists();

            cli.sigterm();

            assertThat(cli.awaitExit()).isZero();
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void sigintExitsZero() throws Exception {
        assumeFalse(sigintIgnoredHere(), "SIGINT is ignored in this process, so in its children too (a background job)");
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "threads")) {
            cli.awaitListening();

            cli.sigint();

            assertThat(cli.awaitExit()).isZero();
        }
    }

    /** Whether SIGINT is ignored here (Linux): children inherit that, and the JVM then keeps it ignored. */
    private static boolean sigintIgnoredHere() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("SigIgn:"))
                .anyMatch(line -> (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 0b10) != 0);
    }
}
