package dev.socketserver.contract;

import dev.socketserver.Descriptors;
import dev.socketserver.contract.Family.Handler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code setMaxConnections}, the same in both families: at the cap the server stops accepting, so
 * further clients wait in the kernel's backlog (nobody is accepted and dropped, nobody refused),
 * and each closed connection lets the next one in; the cap can be raised, lifted and lowered while
 * serving (lowering it closes nobody); a negative cap is refused.
 */
@Timeout(30)
class ConnectionLimitContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void atTheCapFurtherClientsWaitInTheBacklogAndAreServedInTurn(Family family) throws Exception {
        int descriptorsBefore = Descriptors.baseline();
        try (var server = family.tcp(Handler.ECHO)) {
            server.setMaxConnections(3);
            server.start();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    clients.add(Clients.connect(server.address(), null));   // the kernel completes the handshake for all five
                }
                for (int i = 0; i < 5; i++) {
                    clients.get(i).getOutputStream().write('0' + i);
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(clients.get(i).getInputStream().read()).isEqualTo('0' + i);
                }
                Clients.holdsFor(Duration.ofMillis(300), "nothing past the cap is accepted, however long we look",
                        () -> server.stats().accepted() == 3 && server.activeRequests() == 3);
                clients.get(3).setSoTimeout(200);
                assertThatThrownBy(() -> clients.get(3).getInputStream().read()).as("waiting, neither served nor dropped")
                        .isInstanceOf(SocketTimeoutException.class);

                clients.get(0).close();
                clients.get(3).setSoTimeout((int) Clients.DEADLINE.toMillis());
                assertThat(clients.get(3).getInputStream().read()).as("in, and its waiting byte echoed").isEqualTo('3');
                clients.get(1).close();
                assertThat(clients.get(4).getInputStream().read()).isEqualTo('4');
                assertThat(server.stats().requestsTotal()).isEqualTo(5);
                assertThat(server.stats().requestsRefused()).isZero();
                assertThat(server.mostAtOnce()).isEqualTo(3);
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            Clients.await("every connection is closed", () -> server.activeRequests() == 0);
        }
        Clients.await("descriptors are back to " + descriptorsBefore, () -> Descriptors.open() <= descriptorsBefore);
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theCapCanBeRaisedLiftedAndLoweredWhileServing(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO)) {
            server.setMaxConnections(1);
            server.start();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(Clients.connect(server.address(), null));
                }
                Clients.await("one is in", () -> server.activeRequests() == 1);
                Clients.holdsFor(Duration.ofMillis(200), "no second one gets in", () -> server.activeRequests() == 1);

                server.setMaxConnections(2);   // raised: one more gets in, with no connection closing, and the third waits
                assertThat(server.maxConnections()).isEqualTo(2);
                Clients.await("a second one gets in", () -> server.activeRequests() == 2);
                Clients.holdsFor(Duration.ofMillis(200), "the third waits", () -> server.activeRequests() == 2);

                server.setMaxConnections(0);   // lifted: the one waiting gets in at once
                assertThat(server.maxConnections()).isZero();
                Clients.await("the third gets in", () -> server.activeRequests() == 3);

                server.setMaxConnections(1);   // lowered below what is open: nobody is closed
                assertThat(server.maxConnections()).isEqualTo(1);
                Clients.holdsFor(Duration.ofMillis(200), "nobody is closed", () -> server.activeRequests() == 3);
                for (int i = 0; i < 3; i++) {
                    clients.get(i).getOutputStream().write('0' + i);
                    assertThat(clients.get(i).getInputStream().read()).as("still served").isEqualTo('0' + i);
                }
                assertThat(server.stats().requestsTotal()).isEqualTo(3);
                assertThat(server.mostAtOnce()).isEqualTo(3);
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void aNegativeCapIsRefused(Family family) throws Exception {
        try (var server = family.tcp(Handler.ECHO)) {
            assertThatThrownBy(() -> server.setMaxConnections(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 (no limit) or more");
            assertThat(server.maxConnections()).isZero();
        }
    }
}
