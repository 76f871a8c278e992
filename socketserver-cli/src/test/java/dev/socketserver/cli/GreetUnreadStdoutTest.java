package dev.socketserver.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, item 7: {@code greet} keeps serving when nobody reads its standard output. Its
 * "got connection from" lines are written by one thread from a bounded queue; once the pipe
 * (64 KiB, about 1,700 lines) and the queue are full, lines are dropped and counted, and the
 * count is printed when output flows again or at exit. Before, the handler blocked on the
 * pipe: every connection after about 1,800 hung, and in async mode the whole event loop.
 */
@Timeout(120)
class GreetUnreadStdoutTest {
    private static final int CONNECTIONS = 3_000;
    private static final int PER_CONNECTION_TIMEOUT_MILLIS = 5_000;
    private static final Pattern DROPPED = Pattern.compile("socketserver: (\\d+) lines? of output dropped.*");

    @ParameterizedTest(name = "--concurrency {0}")
    @ValueSource(strings = {"virtual", "async"})
    void everyConnectionIsServedAndTheLinesThatDidNotFitAreCounted(String concurrency) throws Exception {
        try (var cli = CliProcess.startWithUnreadStdout("greet", "--listen", "tcp://127.0.0.1:0", "--concurrency", concurrency)) {
            InetSocketAddress server = cli.awaitInetAddress();

            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(greeting(server)).as("connection %d of %d", i + 1, CONNECTIONS).isEqualTo("connection");
            }

            cli.readRestOfStdout();
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
            long printed = 0;
            long dropped = 0;
            for (String line = cli.nextLine(); line != null; line = cli.nextLine()) {
                Matcher count = DROPPED.matcher(line);
                if (count.matches()) {
                    dropped += Long.parseLong(count.group(1));
                } else {
                    assertThat(line).startsWith("got connection from 127.0.0.1:");
                    printed++;
                }
            }
            assertThat(dropped).as("lines dropped").isPositive();
            assertThat(printed + dropped).as("lines printed and dropped").isEqualTo(CONNECTIONS);
        }
    }

    /** One greet connection, bounded in time: what the server sends before it closes. */
    private static String greeting(InetSocketAddress server) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, PER_CONNECTION_TIMEOUT_MILLIS);
            socket.setSoTimeout(PER_CONNECTION_TIMEOUT_MILLIS);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return "no greeting within " + PER_CONNECTION_TIMEOUT_MILLIS + " ms";
        }
    }
}
