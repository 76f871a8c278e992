package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.contract.Family.Handler;
import dev.socketserver.contract.Family.HandlerFailure;
import dev.socketserver.internal.Loggers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.Socket;

import static dev.socketserver.contract.Clients.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A handler's exception is logged in both families on {@code dev.socketserver.request} at
 * {@code WARNING}, naming the client, with the exception handed to the logger as the record's
 * {@code Throwable} (so a JSON encoder or an error tracker gets it, not only text); the
 * connection is closed and the server goes on serving.
 */
@Timeout(30)
class HandlerErrorLogContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void aHandlersExceptionIsLoggedWithItsThrowableOnTheRequestLogger(Family family) throws Exception {
        try (var log = new LogCapture(); var server = family.tcp(Handler.FAILING)) {
            server.start();
            int clientPort;
            try (Socket client = Clients.connect(server.address(), null)) {
                clientPort = ((InetSocketAddress) client.getLocalSocketAddress()).getPort();
                client.getOutputStream().write(ascii("x"));
                assertThat(Clients.endedByServer(client)).isTrue();
            }
            Clients.await("the handler's exception is logged", () -> log.entries().stream().anyMatch(e -> e.thrown() != null));
            assertThat(log.entries()).filteredOn(e -> e.thrown() != null)
                    .singleElement()
                    .satisfies(e -> assertThat(e.thrown()).isInstanceOf(HandlerFailure.class))
                    .satisfies(e -> assertThat(e.logger()).isEqualTo(Loggers.REQUEST))
                    .satisfies(e -> assertThat(e.level()).isEqualTo("WARNING"))
                    .satisfies(e -> assertThat(e.message()).contains("127.0.0.1:" + clientPort));
            assertThat(server.stats().handlerErrors()).isEqualTo(1);
        }
    }
}
