package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class EchoTest {
    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths


    @Test
    void tcpEchoesEachChunkAsItArrivesNotLineByLine() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0");
             var client = Clients.connect(cli.awaitInetAddress())) {
            Clients.send(client, "a");
            assertThat(Clients.read(client, 1)).isEqualTo("a");
            Clients.send(client, "b");
            assertThat(Clients.read(client, 1)).isEqualTo("b");
            Clients.send(client, "line\n");
            assertThat(Clients.read(client, 5)).isEqualTo("line\n");
        }
    }

    @Test
    void tcpOverIpv6Loopback() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "IPv6 loopback is unavailable here");
        try (var cli = CliProcess.start("echo", "--listen", "tcp://[::1]:0")) {
            assertThat(cli.awaitListening()).matches("tcp://\\[::1]:\\d+");
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                Clients.send(client, "six");
                assertThat(Clients.read(client, 3)).isEqualTo("six");
            }
        }
    }

    @Test
    void udpEchoesEachDatagramWholeUpToTheLargestUdpPayload() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "udp://127.0.0.1:0")) {
            InetSocketAddress server = cli.awaitInetAddress();
            assertThat(Clients.exchangeDatagram(server, "hello".getBytes(StandardCharsets.UTF_8)))
                    .asString(StandardCharsets.UTF_8).isEqualTo("hello");

            byte[] largest = new byte[65_507];
            new Random(7).nextBytes(largest);
            byte[] echoed = Clients.exchangeDatagram(server, largest);
            assertThat(echoed.length).isEqualTo(largest.length);
            assertThat(Arrays.equals(echoed, largest)).isTrue();
        }
    }

    @Test
    void unixStreamEchoes() throws Exception {
        Path socket = directory.resolve("echo.sock");
        try (var cli = CliProcess.start("echo", "--listen", "unix:" + socket)) {
            assertThat(cli.awaitListening()).isEqualTo("unix:" + socket);
            try (var client = Clients.connectUnix(socket)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");
                Clients.send(client, "b");
                assertThat(Clients.read(client, 1)).isEqualTo("b");
            }
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try {
            new ServerSocket(0, 1, InetAddress.ofLiteral("::1")).close();
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
