package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.SocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 16 (Python's ErrorHandlerTest): an overridden handleError receives a handler's exception, in every model. */
@Timeout(30)
class CustomHandleErrorTest {

    @DisplayName("row 16: the log reads 'Handler called' then 'Error handled', and nothing is logged by default")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void overriddenHandleErrorIsCalledAfterTheHandlerRaised(Concurrency concurrency) throws Exception {
        StringBuffer calls = new StringBuffer();
        ConnectionHandler raising = conn -> {
            calls.append("Handler called\n");
            throw new ReferenceHandlers.HandlerFailure("RAISE failed on purpose");
        };
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), raising, concurrency) {
                 @Override
                 protected void handleError(Connection request, SocketAddress clientAddress, Throwable error) {
                     if (error instanceof ReferenceHandlers.HandlerFailure) {
                         calls.append("Error handled\n");
                     }
                 }
             };
             Serving<?> _ = TestServers.serve(server);
             var client = StreamClient.connect(server.serverAddress())) {
            assertThat(client.readToEof()).isEmpty();

            // handleError runs before the connection is closed, so it has run when the client sees EOF
            assertThat(calls.toString()).isEqualTo("Handler called\nError handled\n");
            assertThat(log.errorBlocks()).isEmpty();
        }
    }
}
