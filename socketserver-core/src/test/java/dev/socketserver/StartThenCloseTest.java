package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server started in the background and closed at once, before its serving thread got to the
 * loop, ends quietly: nothing is logged as a failure, and waiting for the serving returns.
 */
@Timeout(60)
class StartThenCloseTest {

    @Test
    void closingRightAfterStartLogsNoFailure() throws Exception {
        try (var log = new LogCapture()) {
            for (int i = 0; i < 200; i++) {
                var server = new TcpServer(TestServers.loopback(), connection -> { }, Concurrency.virtualThreads());
                server.start();
                if (i % 2 == 0) {
                    server.close();
                } else {
                    server.shutdown(java.time.Duration.ofSeconds(1));
                }
                server.serveForever();   // waits for the background serving, and rethrows its failure
            }
            assertThat(log.entries()).as("log records").noneMatch(entry -> entry.level().equals("SEVERE") || entry.level().equals("WARNING"));
        }
    }
}
