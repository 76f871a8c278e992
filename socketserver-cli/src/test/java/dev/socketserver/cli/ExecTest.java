package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
    void withoutAProgramItIsAUsageError() throws Exception {
        var finished = CliProcess.run("exec", "--listen", "tcp://127.0.0.1:0");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderr().getFirst()).contains("PROGRAM");
    }
}
