package dev.socketserver.loadgen;

import dev.socketserver.TcpServer;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixStreamServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load generator end to end, for about two seconds each, against our own echo servers on
 * loopback in this JVM. Nothing here is timed: a run must finish, count echoes and see no error;
 * against a server that corrupts one byte in a thousand it must see errors.
 */
@Timeout(60)
class LoadGeneratorSmokeTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AutoCloseable server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static LoadOptions options(String target, int connections, int pipeline) {
        return new LoadOptions(Target.parse(target), connections, 64, pipeline, Duration.ofMillis(1500),
                Duration.ofMillis(500), false, Duration.ZERO, 2, false);
    }

    private String serveTcp(dev.socketserver.ConnectionHandler handler) throws IOException {
        var tcp = new TcpServer(LOOPBACK, handler);
        server = tcp;
        Thread.ofPlatform().daemon().start(() -> {
            try {
                tcp.serveForever();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return tcp.serverUri();
    }

    @Test
    void drivesAnEchoServerWithoutErrors() throws Exception {
        String uri = serveTcp(connection -> connection.in().transferTo(connection.out()));

        LoadResult result = new LoadGenerator(options(uri, 20, 4)).run();

        assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
        assertThat(result.connected()).isEqualTo(20);
        assertThat(result.messages()).isPositive();
        assertThat(result.latency().p99()).isPositive();
    }

    @Test
    void busyPollingWithADeepPipelineDrivesAnEchoServerWithoutErrors() throws Exception {
        String uri = serveTcp(connection -> connection.in().transferTo(connection.out()));
        var options = new LoadOptions(Target.parse(uri), 8, 64, 16, Duration.ofMillis(1500), Duration.ofMillis(500),
                false, Duration.ZERO, 1, true);

        LoadResult result = new LoadGenerator(options).run();

        assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
        assertThat(result.connected()).isEqualTo(8);
        assertThat(result.messages()).isPositive();
        // busy polling: the share of the one driver thread's time spent on I/O rather than finding nothing
        assertThat(result.generatorCpu()).isBetween(0.0, 1.0);
    }

    @Test
    void drivesAUdpEchoServerWithoutErrors() throws Exception {
        var udp = new UdpServer(LOOPBACK, datagram -> datagram.reply(datagram.data()));
        server = udp;
        Thread.ofPlatform().daemon().start(() -> {
            try {
                udp.serveForever();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        LoadResult result = new LoadGenerator(options(udp.serverUri(), 5, 1)).run();

        assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
        assertThat(result.messages()).isPositive();
    }

    @Test
    void drivesAUnixStreamEchoServerWithoutErrors(@TempDir Path dir) throws Exception {
        var unix = new UnixStreamServer(dir.resolve("echo.sock"), connection -> connection.in().transferTo(connection.out()));
        server = unix;
        Thread.ofPlatform().daemon().start(() -> {
            try {
                unix.serveForever();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        LoadResult result = new LoadGenerator(options(unix.serverUri(), 10, 2)).run();

        assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
        assertThat(result.connected()).isEqualTo(10);
        assertThat(result.messages()).isPositive();
    }

    @Test
    void countsEveryCorruptedEchoAsAnError() throws Exception {
        String uri = serveTcp(connection -> {
            InputStream in = connection.in();
            OutputStream out = connection.out();
            byte[] buffer = new byte[4096];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if ((total + i) % 1000 == 999) {
                        buffer[i] ^= 0x20;   // one byte in a thousand comes back wrong
                    }
                }
                total += n;
                out.write(buffer, 0, n);
            }
        });

        for (boolean busyPoll : new boolean[] {false, true}) {
            var options = new LoadOptions(Target.parse(uri), 4, 64, busyPoll ? 16 : 2, Duration.ofMillis(1000),
                    Duration.ofMillis(300), false, Duration.ZERO, 1, busyPoll);

            LoadResult result = new LoadGenerator(options).run();

            assertThat(result.errors()).as("busy poll %s", busyPoll).isPositive();
            assertThat(result.errorSamples()).first().asString().startsWith("echo mismatch: connection");
            assertThat(result.messages()).isPositive();   // the other echoes still count
        }
    }

    @Test
    void aRefusedConnectionIsAnError() throws Exception {
        String uri;
        try (var closed = new TcpServer(LOOPBACK, connection -> { })) {
            uri = closed.serverUri();   // nobody listens there once it is closed
        }
        var options = new LoadOptions(Target.parse(uri), 1, 64, 1, Duration.ofMillis(100), Duration.ZERO, false,
                Duration.ZERO, 1, false);

        LoadResult result = new LoadGenerator(options).run();

        assertThat(result.connected()).isZero();
        assertThat(result.errors()).isEqualTo(1);
        assertThat(result.errorSamples()).first().asString().contains("failed after " + StreamDriver.MAX_ATTEMPTS + " attempts");
    }
}
