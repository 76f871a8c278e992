package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code socketserver bench} as a command: its options and its refusals. */
@Timeout(10)
class BenchCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        var command = new BenchCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        var line = BenchCommand.commandLine(command);
        line.setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8));
        return line.execute(args);
    }

    @Test
    void helpListsTheOptionsOfTheIssueAndNoHiddenOnes() {
        assertThat(run("--help")).isZero();
        String help = out.toString(StandardCharsets.UTF_8);
        assertThat(help).contains("--target", "--connections", "--size", "--pipeline", "--duration", "--warmup", "--allow-remote");
        assertThat(help).doesNotContain("--record", "--server-pid", "--busy-poll", "--idle-hold");
    }

    @Test
    void aRemoteTargetIsRefusedWithoutAllowRemote() {
        assertThat(run("--target", "tcp://192.0.2.1:9000")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("not a loopback address", "--allow-remote");
    }

    @Test
    void badValuesAreUsageErrors() {
        assertThat(run("--target", "tcp://127.0.0.1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing port");
        assertThat(run("--target", "tcp://127.0.0.1:9000", "--duration", "10")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing unit");
        assertThat(run("--target", "tcp://127.0.0.1:9000", "--connections", "20001")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("connections must be from 1 to 20000");
    }
}
