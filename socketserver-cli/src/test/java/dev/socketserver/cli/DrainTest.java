package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Graceful shutdown. To know the drain has begun, a test waits for its visible first step: the
 * listener closes, so new connections are refused (or, on a Unix socket, the file is removed).
 * To tell "the request finished" from "the deadline passed", the deadline is made far longer than
 * the time the test allows for the exit.
 */
@Timeout(60)
class DrainTest {
    private static final Duration WELL_BEFORE_THE_DEADLINE = Duration.ofSeconds(15);

    @TempDir
    Path directory;   // short enough for the 108-byte limit of Unix socket paths

    @Test
    void runningRequestIsServedToItsEndThenTheCommandExitsZero() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "60s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (var client = Clients.connect(server)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();
                Clients.awaitRefused(server);

                Clients.send(client, "still here");
                assertThat(Clients.read(client, 10)).isEqualTo("still here");
                client.shutdownOutput();   // the request ends: echo sees EOF
                assertThat(Clients.endsWithoutData(client)).isTrue();
            }
            assertThat(cli.awaitExit(WELL_BEFORE_THE_DEADLINE)).isZero();
        }
    }

    @Test
    void deadlineClosesARequestThatDoesNotFinish() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "300ms")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();

                assertThat(Clients.endsWithoutData(client)).isTrue();   // the client stays idle: only the deadline ends it
                assertThat(cli.awaitExit()).isZero();
            }
        }
    }

    @Test
    void secondSignalEndsTheWaitForRunningRequests() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "10m")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (var client = Clients.connect(server)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();
                Clients.awaitRefused(server);
                cli.sigterm();

                assertThat(cli.awaitExit(WELL_BEFORE_THE_DEADLINE)).isZero();
                assertThat(Clients.endsWithoutData(client)).isTrue();
            }
        }
    }

    @Test
    void synchronousServerWithAStuckRequestStillExitsAfterTheDeadlineAndRemovesItsSocketFile() throws Exception {
        Path socket = directory.resolve("sync.sock");
        try (var cli = CliProcess.start("echo", "--listen", "unix:" + socket, "--concurrency", "sync", "--drain", "300ms")) {
            cli.awaitListening();
            try (var client = Clients.connectUnix(socket)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();

                assertThat(cli.awaitExit()).isZero();
                assertThat(socket).doesNotExist();
                assertThat(Clients.endsWithoutData(client)).isTrue();
            }
        }
    }
}
