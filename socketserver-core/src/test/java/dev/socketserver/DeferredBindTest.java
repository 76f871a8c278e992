package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** §5 row 36 (§2.4): with bindAndActivate=false the socket is bound and activated only by serverBind() and serverActivate(). */
@Timeout(30)
class DeferredBindTest {

    private static int freePort() throws Exception {
        try (var probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    @Test
    @DisplayName("row 36: clients are refused before serverBind/serverActivate and served after; options can be set in between")
    void clientsAreRefusedUntilBoundAndActivated() throws Exception {
        var requested = new InetSocketAddress("127.0.0.1", freePort());
        try (var server = new TcpServer(requested, ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous(), false)) {
            assertThatThrownBy(() -> StreamClient.connect(requested)).isInstanceOf(ConnectException.class);
            assertThat(server.serverAddress()).isEqualTo(requested);
            assertThatThrownBy(server::serveForever).isInstanceOf(IllegalStateException.class).hasMessageContaining("not activated");

            server.setAllowReuseAddress(true);
            server.setRequestQueueSize(16);
            server.serverBind();
            assertThatThrownBy(() -> server.setAllowReuseAddress(false)).isInstanceOf(IllegalStateException.class);
            server.serverActivate();

            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, requested, "bound\n")).isEqualTo("bound\n");
                assertThat(server.serverAddress()).isEqualTo(requested);
            }
        }
    }

    @Test
    @DisplayName("row 36: with port 0 the address reports port 0 until serverBind(), then the real port")
    void portZeroBecomesTheRealPortAtServerBind() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous(), false)) {
            assertThat(((InetSocketAddress) server.serverAddress()).getPort()).isZero();
            server.serverBind();
            int port = ((InetSocketAddress) server.serverAddress()).getPort();
            assertThat(port).isNotZero();
            server.serverActivate();
            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, new InetSocketAddress("127.0.0.1", port), "x\n")).isEqualTo("x\n");
            }
        }
    }

    @Test
    @DisplayName("row 36 (UDP): a deferred UDP server binds on serverBind() and serves after serverActivate()")
    void udpServerBindsAndServesWhenAsked() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous(), false)) {
            assertThat(server.channel().getLocalAddress()).isNull();
            server.setAllowReuseAddress(true);
            server.serverBind();
            server.serverActivate();
            assertThat(((InetSocketAddress) server.serverAddress()).getPort()).isNotZero();
            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.UDP, server.serverAddress(), "u")).isEqualTo("u");
            }
        }
    }

    @Test
    @DisplayName("row 36: serverActivate() before serverBind() is refused")
    void activateBeforeBindIsRefused() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous(), false)) {
            assertThatThrownBy(server::serverActivate).isInstanceOf(IllegalStateException.class);
        }
    }
}
