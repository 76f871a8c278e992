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
    void anIdleClientIsClosedWithinAShortDrain() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "300ms")) {
            try (var client = Clients.connect(cli.awaitInetAddress())) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();

                assertThat(Clients.endsWithoutData(client)).isTrue();   // idle between requests: a quiet point, in the drain's final window
                assertThat(cli.awaitExit()).isZero();
            }
        }
    }

    @Test
    void clientsInLockStepEndBetweenTwoRequestsAndTheDrainSaysSo() throws Exception {
        int clients = 50;
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "2s");
             var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress server = cli.awaitInetAddress();
            var exchanged = new java.util.concurrent.CountDownLatch(clients);
            var outcomes = new java.util.ArrayList<java.util.concurrent.Future<String>>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                outcomes.add(executor.submit(() -> lockStep(server, id, exchanged)));
            }
            assertThat(exchanged.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("every client exchanges").isTrue();

            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            for (var outcome : outcomes) {
                assertThat(outcome.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("ended between two requests");
            }
            assertThat(cli.stderrLines()).contains("socketserver: drain: " + clients + " connection(s) closed between requests, 0 cut at the deadline");
        }
    }

    /** Sends 16-byte requests one at a time, each after the previous reply, until the server ends the connection. */
    private static String lockStep(InetSocketAddress server, int id, java.util.concurrent.CountDownLatch exchanged) throws Exception {
        try (var socket = new java.net.Socket()) {
            socket.connect(server, 10_000);
            socket.setSoTimeout(10_000);
            for (int n = 0; ; n++) {
                byte[] request = String.format("c%03d-%010d\n", id, n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] reply;
                try {
                    socket.getOutputStream().write(request);
                    reply = socket.getInputStream().readNBytes(request.length);
                } catch (java.io.IOException reset) {
                    return "ended between two requests";   // the request just sent was never read
                }
                if (reply.length == 0) {
                    return "ended between two requests";
                }
                if (!java.util.Arrays.equals(reply, request)) {
                    return "reply " + n + " cut or wrong: " + new String(reply, java.nio.charset.StandardCharsets.US_ASCII);
                }
                if (n == 2) {
                    exchanged.countDown();
                }
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
    void synchronousServerExitsWithinAShortDrainAndRemovesItsSocketFile() throws Exception {
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
