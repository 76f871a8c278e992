package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class HelpAndVersionTest {

    @Test
    void helpListsTheCommandsAndExitsZero() throws Exception {
        var result = CliProcess.run("--help");

        assertThat(result.status()).isZero();
        assertThat(result.stdout().getFirst()).startsWith("Usage: socketserver");
        assertThat(String.join("\n", result.stdout())).contains("echo", "greet");
        assertThat(result.stderr()).isEmpty();
    }

    @Test
    void commandHelpDescribesTheOptions() throws Exception {
        var result = CliProcess.run("echo", "--help");

        assertThat(result.status()).isZero();
        assertThat(String.join("\n", result.stdout())).contains("--listen", "--concurrency", "--drain", "tcp://127.0.0.1:9000");
    }

    @Test
    void versionNamesTheProjectVersion() throws Exception {
        var result = CliProcess.run("--version");

        assertThat(result.status()).isZero();
        assertThat(result.stdout().getFirst()).matches("socketserver \\d+\\.\\d+\\.\\d+.*");
    }
}
