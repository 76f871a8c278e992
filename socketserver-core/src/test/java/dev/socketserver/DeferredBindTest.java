package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * §5 row 36 (§2.4): what Python's {@code bind_and_activate=False} is for, setting the socket's
 * options between its creation and its bind, is done by {@link ServerOptions}: the constructor
 * applies them before it binds, so they are in place before any client can connect, and the
 * server serves as soon as it is constructed. {@code serverActivate()} still refuses a socket
 * that {@code serverBind()} did not bind.
 */
@Timeout(30)
class DeferredBindTest {

    private static int freePort() throws Exception {
        try (var probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        }
    }

    @Test
    @DisplayName("row 36: the options are on the socket when the constructor returns, and clients are served at once")
    void optionsAreInPlaceBeforeTheBindAndTheServerServesAtOnce() throws Exception {
        var requested = new InetSocketAddress("127.0.0.1", freePort());
        ServerOptions options = ServerOptions.builder().reuseAddress(false).backlog(16).build();
        try (var server = new TcpServer(requested, ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous(), options)) {
            // the JDK turns SO_REUSEADDR on for every server socket: off here, it was set by the options, before the bind
            assertThat(server.channel().getOption(StandardSocketOptions.SO_REUSEADDR)).isFalse();
            assertThat(server.options()).isEqualTo(options);
            assertThat(server.options().backlog()).isEqualTo(16);
            assertThat(server.serverAddress()).isEqualTo(requested);

            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.TCP, requested, "bound\n")).isEqualTo("bound\n");
                assertThat(server.serverAddress()).isEqualTo(requested);
            }
        }
    }

    @Test
    @DisplayName("row 36 (UDP): a UDP server's options are on the socket, bound when the constructor returns, and it serves")
    void udpServerIsBoundWithItsOptionsAndServes() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.datagram(), Concurrency.synchronous(),
                ServerOptions.builder().reusePort(true).build())) {
            assertThat(server.channel().getLocalAddress()).isNotNull();
            assertThat(server.channel().getOption(StandardSocketOptions.SO_REUSEPORT)).isTrue();
            assertThat(server.channel().getOption(StandardSocketOptions.SO_REUSEADDR)).as("off on UDP, whatever the options say").isFalse();
            assertThat(((InetSocketAddress) server.serverAddress()).getPort()).isNotZero();
            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(Transport.UDP, server.serverAddress(), "u")).isEqualTo("u");
            }
        }
    }

    @Test
    @DisplayName("row 36: serverActivate() without a bound socket is refused, and the constructor fails with it")
    void activateWithoutABoundSocketIsRefused() {
        var requested = TestServers.loopback();
        assertThatThrownBy(() -> new TcpServer(requested, ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous()) {
            @Override
            public void serverBind() throws IOException {
                // a subclass that forgets to bind
            }
        }).isInstanceOf(IllegalStateException.class).hasMessageContaining("serverBind()");
    }
}
