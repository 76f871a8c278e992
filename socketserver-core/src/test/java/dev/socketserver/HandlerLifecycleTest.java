package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 19 (§3.1): a handler runs {@code setup}, {@code handle}, {@code finish}; a failing
 * {@code setup} skips the other two, a failing {@code handle} still runs {@code finish}.
 */
@Timeout(30)
class HandlerLifecycleTest {
    private final List<String> steps = new CopyOnWriteArrayList<>();

    private final class Probe extends StreamRequestHandler {
        private final String failIn;

        Probe(String failIn) {
            this.failIn = failIn;
        }

        @Override
        protected void setup() throws Exception {
            super.setup();
            step("setup");
        }

        @Override
        protected void handle() throws Exception {
            step("handle");
        }

        @Override
        protected void finish() throws Exception {
            step("finish");
            super.finish();
        }

        private void step(String name) {
            steps.add(name);
            if (name.equals(failIn)) {
                throw new ReferenceHandlers.HandlerFailure(name + " failed on purpose");
            }
        }
    }

    private List<String> serveOneClientWith(String failIn) throws Exception {
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), () -> new Probe(failIn), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEmpty();
            assertThat(log.errorBlocks()).hasSize(failIn.isEmpty() ? 0 : 1);
            return List.copyOf(steps);
        }
    }

    @Test
    @DisplayName("row 19: a handler that succeeds runs setup, handle, finish")
    void successfulHandlerRunsSetupHandleFinish() throws Exception {
        assertThat(serveOneClientWith("")).containsExactly("setup", "handle", "finish");
    }

    @Test
    @DisplayName("row 19: when setup fails, neither handle nor finish runs")
    void failingSetupSkipsHandleAndFinish() throws Exception {
        assertThat(serveOneClientWith("setup")).containsExactly("setup");
    }

    @Test
    @DisplayName("row 19: when handle fails, finish still runs")
    void failingHandleStillRunsFinish() throws Exception {
        assertThat(serveOneClientWith("handle")).containsExactly("setup", "handle", "finish");
    }
}
