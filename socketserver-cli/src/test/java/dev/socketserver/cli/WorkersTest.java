package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code --concurrency workers:N}: the command supervises N worker processes that share its socket. */
@Timeout(120)
class WorkersTest {
    private static Set<Long> workers(CliProcess cli) {
        return cli.handle().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static void echoes(InetSocketAddress server, String text) throws Exception {
        try (SocketChannel client = Clients.connect(server)) {
            Clients.send(client, text);
            assertThat(Clients.read(client, text.length())).isEqualTo(text);
        }
    }

    private static void assertAllGone(List<ProcessHandle> processes) {
        Clients.awaitTrue("every worker to exit: " + processes, () -> processes.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void echoSurvivesAWorkerKilledWithSigkillAndExitsZeroOnSigterm() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "workers:2")) {
            InetSocketAddress server = cli.awaitInetAddress();
            echoes(server, "first");
            Clients.awaitTrue("two workers", () -> workers(cli).size() == 2);
            long victim = workers(cli).iterator().next();

            assertThat(new ProcessBuilder("kill", "-9", Long.toString(victim)).start().waitFor()).isZero();
            Clients.awaitTrue("a new worker in place of " + victim, () -> workers(cli).size() == 2 && !workers(cli).contains(victim));
            for (int i = 0; i < 20; i++) {
                echoes(server, "after " + i);
            }

            List<ProcessHandle> all = cli.handle().descendants().toList();
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            assertAllGone(all);
            // one listening line: the workers print none
            assertThat(cli.nextLine()).isNull();
            assertThat(cli.stderr()).contains("was killed by SIGKILL");
        }
    }

    @Test
    void sigtermLetsAWorkersRunningRequestFinish() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "workers:2", "--drain", "60s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (SocketChannel client = Clients.connect(server)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");
                List<ProcessHandle> all = cli.handle().descendants().toList();

                cli.sigterm();
                Clients.awaitRefused(server);

                Clients.send(client, "still here");
                assertThat(Clients.read(client, 10)).isEqualTo("still here");
                client.shutdownOutput();
                assertThat(Clients.endsWithoutData(client)).isTrue();
                assertThat(cli.awaitExit(Duration.ofSeconds(15))).isZero();
                assertAllGone(all);
            }
        }
    }

    @Test
    void aSecondSignalStopsTheWorkersWithoutWaiting() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "workers:2", "--drain", "10m")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (SocketChannel client = Clients.connect(server)) {
                Clients.send(client, "a");
                assertThat(Clients.read(client, 1)).isEqualTo("a");
                List<ProcessHandle> all = cli.handle().descendants().toList();

                cli.sigterm();
                Clients.awaitRefused(server);
                cli.sigterm();

                assertThat(cli.awaitExit(Duration.ofSeconds(15))).isZero();
                assertAllGone(all);
                assertThat(Clients.endsWithoutData(client)).isTrue();
            }
        }
    }

    @Test
    void workersDoNotServeDatagrams() throws Exception {
        var finished = CliProcess.run("echo", "--listen", "udp://127.0.0.1:0", "--concurrency", "workers:2");
        assertThat(finished.status()).isEqualTo(2);
        assertThat(String.join("\n", finished.stderr())).contains("worker processes serve stream servers");
    }
}
