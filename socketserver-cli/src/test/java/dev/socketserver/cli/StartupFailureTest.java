package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class StartupFailureTest {
    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths


    @Test
    void tcpAddressInUseExitsOneWithOneLineNamingTheAddress() throws Exception {
        try (var taken = ServerSocketChannel.open()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            String address = "tcp://127.0.0.1:" + ((InetSocketAddress) taken.getLocalAddress()).getPort();

            assertFailsWithOneLine(CliProcess.run("echo", "--listen", address), address);
        }
    }

    @Test
    void udpAddressInUseExitsOneWithOneLineNamingTheAddress() throws Exception {
        try (var taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            String address = "udp://127.0.0.1:" + taken.getLocalPort();

            assertFailsWithOneLine(CliProcess.run("echo", "--listen", address), address);
        }
    }

    @Test
    void unixPathOfALiveServerExitsOne() throws Exception {
        Path socket = directory.resolve("live.sock");
        try (var live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(socket));

            var result = CliProcess.run("echo", "--listen", "unix:" + socket);

            assertFailsWithOneLine(result, "unix:" + socket);
            assertThat(result.stderr().getFirst()).contains("live server");
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void regularFileAtTheUnixPathExitsOneAndIsLeftAlone() throws Exception {
        Path file = directory.resolve("precious.txt");
        Files.writeString(file, "keep me");

        var result = CliProcess.run("echo", "--listen", "unix:" + file);

        assertFailsWithOneLine(result, "unix:" + file);
        assertThat(result.stderr().getFirst()).contains("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void unixPathInAMissingDirectoryExitsOne() throws Exception {
        Path socket = directory.resolve("no-such-dir/x.sock");

        assertFailsWithOneLine(CliProcess.run("echo", "--listen", "unix:" + socket), "unix:" + socket);
    }

    private static void assertFailsWithOneLine(CliProcess.Finished result, String address) {
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).hasSize(1);
        assertThat(result.stderr().getFirst()).startsWith("socketserver: " + address + ": ");
    }
}
