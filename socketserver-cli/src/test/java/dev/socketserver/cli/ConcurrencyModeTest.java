package dev.socketserver.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(90)
class ConcurrencyModeTest {

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threads", "virtual", "bounded:2"})
    void eachModeServesAndStopsOnSigterm(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode)) {
            InetSocketAddress server = cli.awaitInetAddress();
            for (int i = 0; i < 3; i++) {   // one after another, so that sync serves them too
                try (var client = Clients.connect(server)) {
                    Clients.send(client, "hi" + i);
                    assertThat(Clients.read(client, 3)).isEqualTo("hi" + i);
                }
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }
}
