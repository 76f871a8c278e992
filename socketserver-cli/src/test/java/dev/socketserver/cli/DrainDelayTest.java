package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes' way to stop: {@code --ready-listen} accepts while the server is ready and closes at
 * the first SIGTERM; the server goes on serving and accepting for {@code --drain-delay}, then
 * drains as always. A worker process leaves both to its supervisor, which alone binds the
 * readiness socket.
 */
@Timeout(60)
class DrainDelayTest {
    private static final Pattern READY_LINE = Pattern.compile("socketserver: ready on (tcp://\\S+) ");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"virtual", "async", "workers:2"})
    void theReadinessSocketClosesAtTheSignalWhileTheServerServesOnForTheDelay(String mode) throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode,
                "--drain-delay", "4s", "--drain", "10s", "--ready-listen", "tcp://127.0.0.1:0")) {
            InetSocketAddress server = cli.awaitInetAddress();
            InetSocketAddress readiness = awaitReadiness(cli);
            assertThat(accepts(readiness)).as("ready while serving").isTrue();
            try (var client = Clients.connect(server)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");

                cli.sigterm();
                Clients.awaitRefused(readiness);

                try (var late = Clients.connect(server)) {
                    Clients.send(late, "late");
                    assertThat(Clients.read(late, 4)).as("a client that comes during the delay is served").isEqualTo("late");
                }
                Clients.awaitRefused(server);   // after the delay, the drain closes the listener
                assertThat(Clients.endsWithoutData(client)).as("and ends the quiet connection").isTrue();
            }
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void aSecondSignalDuringTheDelayStopsAtOnce() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain-delay", "60s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            cli.sigterm();
            Clients.awaitTrue("the delay began", () -> cli.stderr().contains("serving on for"));
            assertThat(accepts(server)).as("still accepting during the delay").isTrue();
            cli.sigint();
            assertThat(cli.awaitExit(Duration.ofSeconds(20))).as("long before the minute of the delay").isZero();
        }
    }

    @Test
    void aReadinessSocketIsTcpOnly() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "tcp://127.0.0.1:0", "--ready-listen", "unix:/tmp/ready.sock");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(String.join("\n", finished.stderr())).contains("--ready-listen takes tcp://HOST:PORT");
    }

    @Test
    void aReadinessAddressInUseFailsTheStart() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var finished = CliProcess.run("echo", "--listen", "tcp://127.0.0.1:0", "--ready-listen", "tcp://127.0.0.1:" + taken.getLocalPort());
            assertThat(finished.status()).isEqualTo(1);
            assertThat(String.join("\n", finished.stderr())).contains(Integer.toString(taken.getLocalPort()));
        }
    }

    private static InetSocketAddress awaitReadiness(CliProcess cli) {
        Clients.awaitTrue("the ready line on stderr", () -> READY_LINE.matcher(cli.stderr()).find());
        Matcher matcher = READY_LINE.matcher(cli.stderr());
        assertThat(matcher.find()).isTrue();
        URI uri = URI.create(matcher.group(1));
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket probe = new Socket(address.getAddress(), address.getPort())) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
