package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.socketserver.internal.SocketFiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * §5 row 13 [beyond] and P15: a Unix stream server removes its socket file on close and replaces a
 * stale one, so a restart on the same path succeeds (Python: "address in use"), while it refuses
 * to take the path of a live server or of a file that is not a socket.
 */
@Timeout(30)
class UnixSocketFileTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    private UnixStreamServer echo(Path path) throws Exception {
        return new UnixStreamServer(path, ReferenceHandlers.ECHOLINE.stream(), Concurrency.virtualThreads());
    }

    @Test
    void socketPermissionsAreInPlaceWhenTheFileAppearsAndNothingElseIsLeftBeside() throws Exception {
        Path path = dir.resolve("private.sock");
        ServerOptions options = ServerOptions.builder()
                .socketPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")).build();
        try (var server = new UnixStreamServer(path, ReferenceHandlers.ECHOLINE.stream(), Concurrency.virtualThreads(), options)) {
            try (Serving<?> _ = TestServers.serve(server)) {
                assertThat(SocketFiles.isSocket(path)).isTrue();
                assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-------");
                assertThat(server.serverAddress()).isEqualTo(UnixDomainSocketAddress.of(path));
                try (var files = Files.list(dir)) {
                    assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("private.sock");
                }
                assertThat(TestServers.exchange(Transport.UNIX, server.serverAddress(), "mine\n")).isEqualTo("mine\n");
            }
        }
        assertThat(path).doesNotExist();
    }

    @Test
    @DisplayName("row 13 [beyond]: close removes the socket file, and a new server on the same path serves")
    void closeRemovesTheSocketFileSoARestartSucceeds() throws Exception {
        Path path = dir.resolve("restart.sock");
        try (var first = echo(path); Serving<?> _ = TestServers.serve(first)) {
            assertThat(path).exists();
            assertThat(TestServers.exchange(Transport.UNIX, first.serverAddress(), "first\n")).isEqualTo("first\n");
        }
        assertThat(path).doesNotExist();

        try (var second = echo(path); Serving<?> _ = TestServers.serve(second)) {
            assertThat(TestServers.exchange(Transport.UNIX, second.serverAddress(), "second\n")).isEqualTo("second\n");
        }
        assertThat(path).doesNotExist();
    }

    @Test
    @DisplayName("P15 [beyond]: a stale socket file left by a dead server is replaced")
    void staleSocketFileIsReplaced() throws Exception {
        Path path = dir.resolve("stale.sock");
        try (var dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }   // the JDK leaves the file behind, as a crashed server would
        assertThat(path).exists();

        try (var server = echo(path); Serving<?> _ = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.UNIX, server.serverAddress(), "fresh\n")).isEqualTo("fresh\n");
        }
        assertThat(path).doesNotExist();
    }

    @Test
    @DisplayName("P15: the socket of a live server is not taken over, and the live server keeps its file")
    void liveServersSocketIsRefused() throws Exception {
        Path path = dir.resolve("live.sock");
        try (var live = echo(path); Serving<?> _ = TestServers.serve(live)) {
            assertThatThrownBy(() -> echo(path)).isInstanceOf(BindException.class).hasMessageContaining("live server");

            assertThat(path).exists();
            assertThat(TestServers.exchange(Transport.UNIX, live.serverAddress(), "still mine\n")).isEqualTo("still mine\n");
        }
    }

    @Test
    @DisplayName("P15: a path that is not a socket is refused and left untouched")
    void fileThatIsNotASocketIsRefusedAndKept() throws Exception {
        Path path = dir.resolve("data.sock");
        Files.writeString(path, "precious");

        assertThatThrownBy(() -> echo(path)).isInstanceOf(BindException.class).hasMessageContaining("not a socket");
        assertThat(path).hasContent("precious");
    }

    @Test
    @DisplayName("§1.3: an unbound Unix-stream client has an empty path as its address")
    void unboundClientHasAnEmptyPath() throws Exception {
        var seen = new java.util.concurrent.atomic.AtomicReference<java.net.SocketAddress>();
        try (var server = new UnixStreamServer(dir.resolve("peer.sock"), conn -> {
                 seen.set(conn.clientAddress());
                 conn.out().write("ok\n".getBytes());
             }, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.UNIX, server.serverAddress(), "")).isEqualTo("ok\n");
            assertThat(seen.get()).isInstanceOf(UnixDomainSocketAddress.class);
            assertThat(((UnixDomainSocketAddress) seen.get()).getPath().toString()).isEmpty();
        }
    }
}
