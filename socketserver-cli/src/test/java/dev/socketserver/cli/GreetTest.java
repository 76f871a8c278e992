package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class GreetTest {
    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths


    @Test
    void tcpClientGetsConnectionThenEofAndTheServerPrintsWhoConnected() throws Exception {
        try (var cli = CliProcess.start("greet", "--listen", "tcp://127.0.0.1:0")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (var client = Clients.connect(server)) {
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();

                assertThat(Clients.readToEnd(client)).isEqualTo("connection");
                assertThat(cli.nextLine()).isEqualTo("got connection from 127.0.0.1:" + clientPort);
            }
        }
    }

    @Test
    void udpRepliesConnectionToEachDatagram() throws Exception {
        try (var cli = CliProcess.start("greet", "--listen", "udp://127.0.0.1:0")) {
            InetSocketAddress server = cli.awaitInetAddress();
            for (int i = 0; i < 2; i++) {
                assertThat(Clients.exchangeDatagram(server, "hi".getBytes(StandardCharsets.UTF_8)))
                        .asString(StandardCharsets.UTF_8).isEqualTo("connection");
                assertThat(cli.nextLine()).startsWith("got connection from 127.0.0.1:");
            }
        }
    }

    @Test
    void unixClientGetsConnection() throws Exception {
        Path socket = directory.resolve("greet.sock");
        try (var cli = CliProcess.start("greet", "--listen", "unix:" + socket)) {
            cli.awaitListening();
            try (var client = Clients.connectUnix(socket)) {
                assertThat(Clients.readToEnd(client)).isEqualTo("connection");
                assertThat(cli.nextLine()).isEqualTo("got connection from an unnamed unix socket");
            }
        }
    }
}
