package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class StaleSocketFileTest {
    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths


    @Test
    void socketFileLeftByADeadServerIsReplaced() throws Exception {
        Path socket = directory.resolve("stale.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();   // closing a channel leaves its file, as a crash would

        try (var cli = CliProcess.start("echo", "--listen", "unix:" + socket)) {
            assertThat(cli.awaitListening()).isEqualTo("unix:" + socket);
            try (var client = Clients.connectUnix(socket)) {
                Clients.send(client, "fresh");
                assertThat(Clients.read(client, 5)).isEqualTo("fresh");
            }
        }
    }
}
