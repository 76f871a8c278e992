package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.ServerOptions;
import dev.socketserver.contract.Family.Handler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The idle timeout and the request deadline, the same in both families: the idle timeout closes a
 * silent connection on time and spares a chatty one, reaches connections already open when it is
 * changed while serving, and can be turned off again; the request deadline closes even a busy
 * connection; each connection so closed is counted in {@code stats().timeouts()}, quietly (no
 * warning, no error block); a timeout that is not positive is refused with a message that says
 * what to give instead.
 */
@Timeout(30)
class IdleTimeoutContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void aSilentConnectionIsClosedOnTimeAndAChattyOneIsNot(Family family) throws Exception {
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO)) {
            server.setIdleTimeout(Duration.ofMillis(400));
            server.start();
            try (Socket chatty = Clients.connect(server.address(), null); Socket silent = Clients.connect(server.address(), null)) {
                Clients.await("both connections are open", () -> server.activeRequests() == 2);
                long start = System.nanoTime();
                Duration silentClosedAt = null;
                for (int i = 0; i < 8; i++) {   // a byte every 100 ms for 800 ms, twice the timeout
                    chatty.getOutputStream().write('x');
                    assertThat(chatty.getInputStream().read()).isEqualTo('x');
                    Clients.pace(Duration.ofMillis(100));
                    if (silentClosedAt == null && server.activeRequests() < 2) {
                        silentClosedAt = Duration.ofNanos(System.nanoTime() - start);
                    }
                }
                assertThat(Clients.endedByServer(silent)).as("the silent one is closed by the server").isTrue();
                assertThat(silentClosedAt).as("when the silent one was seen closed").isNotNull()
                        .isBetween(Duration.ofMillis(350), Duration.ofSeconds(3));
                assertThat(server.activeRequests()).as("the chatty one lives").isEqualTo(1);
                assertThat(Clients.endedByServer(chatty)).as("and goes once it falls silent").isTrue();
            }
            Clients.await("both timeouts are counted", () -> server.stats().timeouts() == 2);
            Clients.await("both connections are closed", () -> server.stats().closed() == 2);
            assertThat(server.stats().accepted()).isEqualTo(2);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).noneMatch(e -> e.level().equals("WARNING") || e.level().equals("SEVERE"));
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void anIdleTimeoutSetWhileServingReachesConnectionsAlreadyOpenAndCanBeTurnedOff(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO)) {
            server.start();
            try (Socket open = Clients.connect(server.address(), null)) {
                Clients.await("the connection is open", () -> server.activeRequests() == 1);
                server.setIdleTimeout(Duration.ofMillis(200));
                assertThat(server.idleTimeout()).isEqualTo(Duration.ofMillis(200));
                assertThat(Clients.endedByServer(open)).as("closed within the read timeout").isTrue();
            }
            Clients.await("the timeout is counted", () -> server.stats().timeouts() == 1);

            server.setIdleTimeout(null);   // and off again: the next one stays
            assertThat(server.idleTimeout()).isNull();
            try (Socket next = Clients.connect(server.address(), null)) {
                Clients.await("the next connection is open", () -> server.activeRequests() == 1);
                next.setSoTimeout(600);
                assertThatThrownBy(() -> next.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            }
            assertThat(server.stats().timeouts()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theRequestDeadlineClosesEvenABusyConnection(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO, ServerOptions.builder().requestDeadline(Duration.ofMillis(300)).build())) {
            assertThat(server.requestDeadline()).isEqualTo(Duration.ofMillis(300));
            server.start();
            try (Socket busy = Clients.connect(server.address(), null)) {
                long start = System.nanoTime();
                Clients.await("the busy connection is closed by the server", () -> {
                    try {   // a byte and its echo every 5 ms: never idle
                        busy.getOutputStream().write('x');
                        return busy.getInputStream().read() < 0;
                    } catch (IOException e) {
                        return true;
                    }
                });
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            }
            Clients.await("the connection is closed", () -> server.activeRequests() == 0);
            assertThat(server.stats().requestsTotal()).isEqualTo(1);
            Clients.await("the deadline is counted", () -> server.stats().timeouts() == 1);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void timeoutsThatAreNotPositiveAreRefusedWithAMessageThatSaysWhatToDo(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO)) {
            assertThatThrownBy(() -> server.setIdleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive, or null for none");
            assertThatThrownBy(() -> server.setIdleTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive, or null for none");
            assertThat(server.idleTimeout()).isNull();
        }
        assertThatThrownBy(() -> ServerOptions.builder().requestDeadline(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive, or null for none");
    }
}
