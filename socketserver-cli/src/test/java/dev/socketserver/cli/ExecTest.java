package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** socketserver exec: one program per connection, with the socket on its stdin and stdout. */
@Timeout(60)
class ExecTest {

    @Test
    void catPerConnectionIsAnEchoServer() throws Exception {
        try (var cli = CliProcess.start("exec", "--listen", "tcp://127.0.0.1:0", "--", "cat");
             var client = Clients.connect(cli.awaitInetAddress())) {
            Clients.send(client, "a");
            assertThat(Clients.read(client, 1)).isEqualTo("a");
            Clients.send(client, "bc");
            assertThat(Clients.read(client, 2)).isEqualTo("bc");
            client.shutdownOutput();
            assertThat(Clients.readToEnd(client)).isEmpty();
        }
    }

    @Test
    void theProgramSeesTheClientInItsEnvironmentAndSigtermExitsZero() throws Exception {
        try (var cli = CliProcess.start("exec", "--listen", "tcp://127.0.0.1:0", "--", "sh", "-c", "echo $PROTO $TCPREMOTEIP")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                assertThat(Clients.readToEnd(client)).isEqualTo("TCP 127.0.0.1\n");
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void byDefaultTheProgramInheritsTheWholeEnvironment() throws Exception {
        try (var cli = CliProcess.startWithEnvironment(Map.of("EXEC_TEST_SECRET", "s3cret"),
                "exec", "--listen", "tcp://127.0.0.1:0", "--", "sh", "-c", "echo ${EXEC_TEST_SECRET-unset}")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                assertThat(Clients.readToEnd(client)).isEqualTo("s3cret\n");
            }
        }
    }

    @Test
    void envClearKeepsTheServersEnvironmentOutAndEnvAddsVariables() throws Exception {
        try (var cli = CliProcess.startWithEnvironment(Map.of("EXEC_TEST_SECRET", "s3cret"),
                "exec", "--listen", "tcp://127.0.0.1:0", "--env-clear", "--env", "GREETING=hi there", "--env", "EMPTY=",
                "--", "sh", "-c", "echo ${EXEC_TEST_SECRET-unset} ${HOME-nohome} $PROTO [$GREETING] [${EMPTY-unset}]")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                assertThat(Clients.readToEnd(client)).isEqualTo("unset nohome TCP [hi there] []\n");
            }
        }
    }

    @Test
    void envWithoutClearOverridesOneVariableAndKeepsTheRest() throws Exception {
        try (var cli = CliProcess.startWithEnvironment(Map.of("EXEC_TEST_SECRET", "s3cret", "EXEC_TEST_OTHER", "kept"),
                "exec", "--listen", "tcp://127.0.0.1:0", "--env", "EXEC_TEST_SECRET=replaced",
                "--", "sh", "-c", "echo $EXEC_TEST_SECRET $EXEC_TEST_OTHER")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                assertThat(Clients.readToEnd(client)).isEqualTo("replaced kept\n");
            }
        }
    }

    @Test
    void anEnvWithoutANameIsAUsageError() throws Exception {
        var finished = CliProcess.run("exec", "--listen", "tcp://127.0.0.1:0", "--env", "=x", "--", "cat");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("--env takes NAME=VALUE");
    }

    @Test
    void withoutAProgramItIsAUsageError() throws Exception {
        var finished = CliProcess.run("exec", "--listen", "tcp://127.0.0.1:0");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("PROGRAM");
    }
}
