package dev.socketserver.contract;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server given only a port listens on loopback, in both families, so nothing is exposed to the
 * network by accident: {@code TcpServer.serve(port, ...)} and {@code AsyncServer.tcp(port, ...)}.
 * ({@code TcpServer.serve} serves until the JVM ends and gives no handle to stop it, so only the
 * event loop's factory is run here; both use {@code InetAddress.getLoopbackAddress()}.)
 */
@Timeout(30)
class DefaultInterfaceContractTest {

    @Test
    void theEventLoopsPortOnlyFactoryListensOnLoopback() throws Exception {
        try (var server = AsyncServer.tcp(0, () -> new Protocol() { })) {
            InetSocketAddress bound = (InetSocketAddress) server.serverAddress();
            assertThat(bound.getAddress().isLoopbackAddress()).as("bound to %s", bound).isTrue();
            assertThat(bound.getPort()).isPositive();
        }
    }
}
