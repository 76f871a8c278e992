package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * §5 row 39: the {@code reusePort} option lets two TCP servers share a port, and the kernel spreads
 * clients between them; on a Unix stream it is ignored rather than failing (gh-128916, P16).
 */
@Timeout(30)
class ReusePortTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private static TcpServer reusingPort(int port, String name) throws Exception {
        var server = new TcpServer(new InetSocketAddress("127.0.0.1", port), ReferenceHandlers.of(name,
                (h, in, out) -> out.write(ReferenceHandlers.bytes(name + "\n"))).stream(), Concurrency.virtualThreads(),
                ServerOptions.builder().reusePort(true).build());
        assertThat(server.channel().getOption(java.net.StandardSocketOptions.SO_REUSEPORT)).isTrue();
        return server;
    }

    @Test
    @DisplayName("row 39: two TCP servers with reusePort bind the same port, and clients reach both")
    void twoTcpServersShareAPortAndBothServe() throws Exception {
        try (var a = reusingPort(0, "A");
             var b = reusingPort(((InetSocketAddress) a.serverAddress()).getPort(), "B");
             Serving<?> _ = TestServers.serve(a);
             Serving<?> _ = TestServers.serve(b)) {
            assertThat(b.serverAddress()).isEqualTo(a.serverAddress());
            Set<String> answeredBy = new HashSet<>();
            TestServers.await(DEADLINE, "both servers answered a client", () -> {
                try (var client = StreamClient.connect(a.serverAddress())) {
                    answeredBy.add(client.readToEof());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return answeredBy.size() == 2;
            });
            assertThat(answeredBy).containsExactlyInAnyOrder("A\n", "B\n");
        }
    }

    @Test
    @DisplayName("row 39: without reusePort the second server on the port fails with BindException")
    void withoutReusePortTheSecondServerCannotBind() throws Exception {
        try (var a = new TcpServer(TestServers.loopback(), ReferenceHandlers.ID.stream(), Concurrency.virtualThreads())) {
            assertThatThrownBy(() -> new TcpServer((InetSocketAddress) a.serverAddress(), ReferenceHandlers.ID.stream(), Concurrency.virtualThreads()))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("tcp://127.0.0.1:" + ((InetSocketAddress) a.serverAddress()).getPort());
        }
    }

    @Test
    @DisplayName("row 39 / P16: reusePort on a Unix stream server is ignored; it binds and serves (Python 3.11: EOPNOTSUPP)")
    void reusePortIsIgnoredOnUnixStreams() throws Exception {
        try (var server = new UnixStreamServer(dir.resolve("r.sock"), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous(),
                ServerOptions.builder().reusePort(true).build())) {
            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(TestServers.exchange(TestServers.Transport.UNIX, server.serverAddress(), "unix\n")).isEqualTo("unix\n");
            }
        }
    }
}
