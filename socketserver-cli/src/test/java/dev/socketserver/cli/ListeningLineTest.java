package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ListeningLineTest {

    @Test
    void firstLineNamesTheRealPortWhenPortZeroWasAsked() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0")) {
            String address = cli.awaitListening();

            assertThat(address).matches("tcp://127\\.0\\.0\\.1:\\d+");
            InetSocketAddress bound = cli.awaitInetAddress();
            assertThat(bound.getPort()).isPositive();
            try (var client = Clients.connect(bound)) {
                Clients.send(client, "ping");
                assertThat(Clients.read(client, 4)).isEqualTo("ping");
            }
        }
    }

    @Test
    void udpLineNamesTheRealPort() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "udp://127.0.0.1:0")) {
            assertThat(cli.awaitListening()).matches("udp://127\\.0\\.0\\.1:[1-9]\\d*");
        }
    }
}
