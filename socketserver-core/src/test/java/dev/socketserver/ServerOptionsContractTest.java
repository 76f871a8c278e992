package dev.socketserver;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.DatagramProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One {@link ServerOptions} value configures every server kind the same way, blocking or event
 * loop, and a setting a kind cannot honour is refused when the server is built.
 */
@Timeout(60)
class ServerOptionsContractTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocking", "async"})
    void oneProductionValueServesTlsAndClosesSilentClients(String family) throws Exception {
        ServerOptions production = ServerOptions.builder()
                .tls(TlsOptions.of(TestCertificates.serverContext()).withHandshakeDeadline(Duration.ofSeconds(5)))
                .idleTimeout(Duration.ofMillis(400))
                .maxConnections(100)
                .backlog(64)
                .build();
        try (Server server = tcp(family, production)) {
            server.start();
            InetSocketAddress address = (InetSocketAddress) server.serverAddress();
            try (SSLSocket client = (SSLSocket) TestCertificates.clientContext(false).getSocketFactory()
                    .createSocket(address.getAddress(), address.getPort())) {
                client.setSoTimeout((int) DEADLINE.toMillis());
                client.getOutputStream().write("over tls".getBytes(StandardCharsets.UTF_8));
                assertThat(new String(client.getInputStream().readNBytes(8), StandardCharsets.UTF_8)).isEqualTo("over tls");
                assertThat(client.getInputStream().read()).as("closed once silent for the idle timeout").isEqualTo(-1);
            }
            TestServers.await(DEADLINE, "the timeout is counted", () -> server.stats().timeouts() == 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocking", "async"})
    void reusePortLetsTwoServersOfAnyHandlerShapeShareAPort(String family) throws Exception {
        ServerOptions shared = ServerOptions.builder().reusePort(true).build();
        try (Server first = tcp(family, shared)) {
            InetSocketAddress taken = (InetSocketAddress) first.serverAddress();
            try (Server second = tcp(family, shared, taken)) {
                assertThat(second.serverAddress()).isEqualTo(taken);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocking unix", "async unix", "blocking unixgram", "async unixgram"})
    void socketPermissionsAreInPlaceOnEveryUnixKind(String kind) throws Exception {
        ServerOptions privateFile = ServerOptions.builder().socketPermissions(PosixFilePermissions.fromString("rw-------")).build();
        Path file = dir.resolve("p.sock");
        try (Server server = unix(kind, file, privateFile)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(server.serverUri()).endsWith(file.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocking", "async"})
    void datagramServersRefuseTheSettingsOfConnections(String family) throws Exception {
        ServerOptions tls = ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).idleTimeout(Duration.ofSeconds(1)).build();
        InetSocketAddress loopback = TestServers.loopback();
        assertThatThrownBy(() -> udp(family, loopback, tls))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tls, idleTimeout apply to connections, and " + (family.equals("async") ? "an event-loop UDP server" : "a UDP server")
                        + " has none: use a stream server (TCP or a Unix stream)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"blocking", "async"})
    void tcpRefusesSocketFileBits(String family) {
        ServerOptions bits = ServerOptions.builder().socketPermissions(PosixFilePermissions.fromString("rw-------")).build();
        assertThatThrownBy(() -> tcp(family, bits))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("socketPermissions apply to a Unix socket file, and a TCP server has none");
    }

    @Test
    void anEventLoopDatagramServerRefusesAConnectionLimit() {
        ServerOptions limit = ServerOptions.builder().maxConnections(10).build();
        assertThatThrownBy(() -> udp("async", TestServers.loopback(), limit))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections applies to connections");
    }

    @Test
    void anAbstractUnixAddressRefusesSocketFileBits() {
        ServerOptions bits = ServerOptions.builder().socketPermissions(PosixFilePermissions.fromString("rw-------")).build();
        UnixAddress abstractName = UnixAddress.ofAbstract("socketserver-options-" + ProcessHandle.current().pid());
        assertThatThrownBy(() -> new UnixDatagramServer(abstractName, d -> { }, Concurrency.virtualThreads(), bits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has none");
        assertThatThrownBy(() -> AsyncServer.unixgram(abstractName, new Discard(), bits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has none");
    }

    @Test
    void badValuesAreRefusedByTheBuilder() {
        assertThatThrownBy(() -> ServerOptions.builder().backlog(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerOptions.builder().idleTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerOptions.builder().writeBufferWaterMarks(10, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerOptions.builder().writeBufferLimit(1024).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyProtocol.from("not-a-network")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ServerOptions.defaults().toBuilder().build()).isEqualTo(ServerOptions.defaults());
    }

    private static Server tcp(String family, ServerOptions options) throws IOException {
        return tcp(family, options, TestServers.loopback());
    }

    private static Server tcp(String family, ServerOptions options, InetSocketAddress address) throws IOException {
        return family.equals("async")
                ? AsyncServer.tcp(address, AsyncEchoes.StreamEcho::new, options)
                : new TcpServer(address, conn -> conn.in().transferTo(conn.out()), Concurrency.virtualThreads(), options);
    }

    private static Server udp(String family, InetSocketAddress address, ServerOptions options) throws IOException {
        return family.equals("async")
                ? AsyncServer.udp(address, new Discard(), options)
                : new UdpServer(address, d -> d.reply(d.data()), Concurrency.virtualThreads(), options);
    }

    private static Server unix(String kind, Path file, ServerOptions options) throws IOException {
        return switch (kind) {
            case "blocking unix" -> new UnixStreamServer(file, conn -> conn.in().transferTo(conn.out()), Concurrency.virtualThreads(), options);
            case "async unix" -> AsyncServer.unix(file, AsyncEchoes.StreamEcho::new, options);
            case "blocking unixgram" -> new UnixDatagramServer(UnixAddress.of(file), d -> d.reply(d.data()), Concurrency.virtualThreads(), options);
            case "async unixgram" -> AsyncServer.unixgram(UnixAddress.of(file), new Discard(), options);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static final class Discard implements DatagramProtocol {
        @Override
        public void datagramReceived(ByteBuffer data, java.net.SocketAddress sender) {
        }
    }
}
