package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Server#serveUntilStopped}: a program's {@code main} that serves until SIGTERM, drains and
 * exits 0, run as a child process that the test signals.
 */
@Timeout(60)
class ServeUntilStoppedTest {

    /** Echoes lines; to a line {@code slow} it says {@code busy} and never echoes it, so its connection stays busy. */
    public static final class Child {
        private static final java.util.concurrent.CountDownLatch NEVER = new java.util.concurrent.CountDownLatch(1);

        public static void main(String[] args) throws IOException {
            var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), conn -> {
                for (String line = conn.readLine(100); line != null; line = conn.readLine(100)) {
                    if (line.equals("slow")) {
                        conn.out().write("busy\n".getBytes(StandardCharsets.UTF_8));
                        try {
                            NEVER.await();   // busy until the drain cuts it: nothing releases this
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    conn.out().write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            });
            Duration drain = Duration.parse(args[0]);
            boolean drained;
            if (args.length > 1 && args[1].startsWith("delay=")) {
                var stop = GracefulStop.drain(drain)
                        .withDelay(Duration.parse(args[1].substring("delay=".length())))
                        .whenStopRequested(() -> System.out.println("stop requested"));
                StopSignals signals = StopSignals.install();
                System.out.println("listening on " + server.serverUri());
                drained = server.serveUntil(signals, stop);
            } else if (args.length > 1 && args[1].equals("installed-first")) {
                StopSignals signals = StopSignals.install();
                System.out.println("listening on " + server.serverUri());
                drained = server.serveUntil(signals, drain);
            } else {
                server.start();   // serveUntilStopped waits for the serving it finds started
                System.out.println("listening on " + server.serverUri());
                drained = server.serveUntilStopped(drain);
            }
            System.out.println("drained " + drained);
        }
    }

    @Test
    void sigtermDrainsAQuietConnectionAndMainReturns() throws Exception {
        Process child = start("PT10S", "installed-first");
        try (var out = reader(child); Socket client = connect(out)) {
            assertThat(exchange(client, "hello")).isEqualTo("hello");
            signal(child, "TERM");
            assertThat(client.getInputStream().read()).as("the drain closes the connection at its quiet point").isEqualTo(-1);
            assertThat(out.readLine()).isEqualTo("drained true");
            assertThat(exitStatus(child)).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aBusyConnectionIsCutAtTheDeadlineAndMainStillReturns() throws Exception {
        Process child = start("PT0.5S");
        try (var out = reader(child); Socket client = connect(out)) {
            assertThat(exchange(client, "slow")).as("the handler took the line and is busy with it").isEqualTo("busy");
            signal(child, "TERM");
            assertThat(out.readLine()).isEqualTo("drained false");
            assertThat(exitStatus(child)).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aSecondSignalCutsALongDrainShort() throws Exception {
        Process child = start("PT60S", "installed-first");
        try (var out = reader(child); Socket client = connect(out)) {
            assertThat(exchange(client, "slow")).isEqualTo("busy");
            signal(child, "TERM");
            signal(child, "INT");
            assertThat(out.readLine()).isEqualTo("drained false");
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("ends long before the minute of the drain").isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void withADelayTheServerGoesOnAcceptingAfterTheSignalThenDrains() throws Exception {
        Process child = start("PT10S", "delay=PT3S");
        try (var out = reader(child); Socket first = connect(out)) {
            assertThat(exchange(first, "hello")).isEqualTo("hello");
            signal(child, "TERM");
            assertThat(out.readLine()).as("the action runs at the signal, before the delay").isEqualTo("stop requested");
            try (Socket late = new Socket(first.getInetAddress(), first.getPort())) {
                late.setSoTimeout(20_000);
                assertThat(exchange(late, "late")).as("a client that comes during the delay is served").isEqualTo("late");
                assertThat(first.getInputStream().read()).as("after the delay, the drain closes the connection at its quiet point").isEqualTo(-1);
            }
            assertThat(out.readLine()).isEqualTo("drained true");
            assertThat(exitStatus(child)).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aSecondSignalDuringTheDelayStopsAtOnce() throws Exception {
        Process child = start("PT60S", "delay=PT60S");
        try (var out = reader(child); Socket client = connect(out)) {
            assertThat(exchange(client, "hello")).isEqualTo("hello");
            signal(child, "TERM");
            assertThat(out.readLine()).isEqualTo("stop requested");
            signal(child, "INT");
            assertThat(out.readLine()).isEqualTo("drained false");
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("ends long before the minute of the delay").isTrue();
            assertThat(child.exitValue()).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aStopWithANegativeDurationIsRefused() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> GracefulStop.drain(Duration.ofSeconds(1)).withDelay(Duration.ofSeconds(-1)))
                .withMessageContaining("delay");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> GracefulStop.drain(Duration.ofSeconds(-1)))
                .withMessageContaining("drain");
    }

    private static Process start(String... args) throws IOException {
        return new ProcessBuilder(InheritedConnection.javaCommand(Child.class, args)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process child) {
        return new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    }

    private static Socket connect(BufferedReader out) throws IOException {
        String listening = out.readLine();
        assertThat(listening).startsWith("listening on tcp://");
        URI uri = URI.create(listening.substring("listening on ".length()));
        Socket client = new Socket(uri.getHost(), uri.getPort());
        client.setSoTimeout(20_000);
        return client;
    }

    private static String exchange(Socket client, String line) throws IOException {
        client.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    private static void signal(Process child, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static int exitStatus(Process child) throws InterruptedException {
        assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("the program ends after the drain").isTrue();
        return child.exitValue();
    }
}
