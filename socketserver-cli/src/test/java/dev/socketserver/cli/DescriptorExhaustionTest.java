package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md A1, the "survives descriptor exhaustion": the command runs with
 * {@code ulimit -n 128} and is flooded with 300 connections that stay open, so accept fails with
 * "too many open files". It stays alive with its listener open, spends almost no CPU while
 * saturated (the accept loop backs off instead of spinning), logs about one line a second, and
 * serves a new client as soon as clients close.
 */
@Timeout(60)
class DescriptorExhaustionTest {
    private static final int LIMIT = 128;
    private static final int FLOOD = 300;
    private static final int CLOSED_AFTERWARDS = 220;
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final String EMFILE = "Too many open files";

    @Test
    void floodedPastItsDescriptorLimitItStaysAliveQuietAndIdleThenServesAgain() throws Exception {
        List<SocketChannel> flood = new ArrayList<>();
        try (var cli = CliProcess.startWithDescriptorLimit(LIMIT, "echo", "--listen", "tcp://127.0.0.1:0", "--drain", "1s")) {
            InetSocketAddress server = cli.awaitInetAddress();
            try (var first = Clients.connect(server)) {   // loads what serving needs while files can still be opened
                Clients.send(first, "warm");
                assertThat(Clients.read(first, 4)).isEqualTo("warm");
            }
            try {
                for (int i = 0; i < FLOOD; i++) {
                    flood.add(Clients.connect(server));   // the kernel completes every handshake; accept runs out of descriptors
                }
                Clients.awaitTrue("the command to log " + EMFILE, () -> cli.stderr().contains(EMFILE));

                long linesBefore = emfileLines(cli);
                long ticksBefore = cpuTicks(cli.pid());
                long start = System.nanoTime();
                LockSupport.parkNanos(WINDOW.toNanos());   // the saturated window being measured
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuShare = (cpuTicks(cli.pid()) - ticksBefore) / (double) clockTicksPerSecond() / seconds;
                long lines = emfileLines(cli) - linesBefore;

                assertThat(cli.isAlive()).isTrue();
                assertThat(cpuShare).as("share of one core used while saturated").isLessThan(0.10);
                assertThat(lines).as("'%s' lines logged in %.1f s", EMFILE, seconds).isLessThanOrEqualTo((long) Math.ceil(seconds) + 1);
                try (var queued = Clients.connect(server)) {   // the listener is still open: the kernel still queues
                    assertThat(queued.isConnected()).isTrue();
                }

                for (SocketChannel client : flood.subList(0, CLOSED_AFTERWARDS)) {
                    client.close();
                }
                long freed = System.nanoTime();
                try (var fresh = Clients.connect(server)) {
                    Clients.send(fresh, "served again");
                    assertThat(Clients.read(fresh, 12)).isEqualTo("served again");
                }
                // reliability.md asks for 1.1 s (the backoff's cap); the bound is looser for a shared machine
                assertThat(Duration.ofNanos(System.nanoTime() - freed)).isLessThan(Duration.ofSeconds(4));
            } finally {
                for (SocketChannel client : flood) {
                    client.close();
                }
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    private static long emfileLines(CliProcess cli) {
        return cli.stderr().lines().filter(line -> line.contains(EMFILE)).count();
    }

    /** User plus system CPU time of a process, in clock ticks: fields 14 and 15 of /proc/PID/stat. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // fields 14 and 15, counted from field 3
    }

    private static long clockTicksPerSecond() throws Exception {
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK").start();
        assertThat(getconf.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Long.parseLong(new String(getconf.getInputStream().readAllBytes()).strip());
    }
}
