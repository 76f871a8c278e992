package dev.socketserver.junit;

import dev.socketserver.Concurrency;
import dev.socketserver.UnixAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kind the kit builds serves on the loopback or a socket file, records what it received, and leaves nothing behind. */
@Timeout(60)
class ServerKindsTest {

    @ParameterizedTest
    @EnumSource(Echoes.class)
    void servesRecordsAndClosesCleanly(Echoes kind) throws Exception {
        Path socketFile;
        try (TestServer server = kind.server().withLeakCheck().start()) {
            String reply = kind.stream ? Clients.streamExchange(server.address(), "hello " + kind)
                    : Clients.datagramExchange(server.address(), "hello " + kind);
            assertThat(reply).isEqualTo("hello " + kind);

            RecordedRequest request = server.takeRequest().awaitEnd();
            assertThat(request.text()).isEqualTo("hello " + kind);
            assertThat(request.sequence()).isZero();
            assertThat(server.requests()).containsExactly(request);
            assertThat(server.uri().toString()).isEqualTo(server.server().serverUri());
            socketFile = addressOf(server);
        }
        if (socketFile != null) {
            assertThat(socketFile).as("the socket file and its temporary directory are gone").doesNotExist();
            assertThat(socketFile.getParent()).doesNotExist();
        }
    }

    private static Path addressOf(TestServer server) {
        return switch (server.address()) {
            case InetSocketAddress inet -> {
                assertThat(inet.getAddress().isLoopbackAddress()).isTrue();
                assertThat(server.host()).isEqualTo("127.0.0.1");
                assertThat(server.port()).isEqualTo(inet.getPort()).isPositive();
                assertThatThrownBy(server::path).isInstanceOf(IllegalStateException.class).hasMessageContaining("no socket file");
                yield null;
            }
            case UnixDomainSocketAddress unix -> {
                assertThat(server.path()).isEqualTo(unix.getPath()).exists();
                assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class).hasMessageContaining("use path()");
                yield server.path();
            }
            case UnixAddress unix -> {
                assertThat(server.path()).isEqualTo(unix.path()).exists();
                yield server.path();
            }
            default -> throw new AssertionError(server.address());
        };
    }

    @Test
    void blockingServersTakeAThreadModel() throws Exception {
        try (TestServer server = TestServer.tcp(conn -> conn.out().write(Thread.currentThread().isVirtual() ? 'v' : 'p'))
                .withConcurrency(Concurrency.threads()).start()) {
            assertThat(Clients.streamExchange(server.address(), "")).isEqualTo("p");
        }
    }

    @Test
    void eventLoopServersRefuseAThreadModel() {
        assertThatThrownBy(() -> TestServer.asyncTcp(Echoes::protocol).withConcurrency(Concurrency.threads()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("blocking servers");
    }

    @Test
    void configurationIsRefusedOnceStarted() throws Exception {
        try (TestServer server = TestServer.tcp(conn -> { }).start()) {
            assertThatThrownBy(server::withTls).isInstanceOf(IllegalStateException.class).hasMessageContaining("running already");
            assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aServerFromAFactoryIsStartedAndClosedButNotRecorded() throws Exception {
        Path[] directory = new Path[1];
        TestServer server = TestServer.of(dir -> {
            directory[0] = dir;
            return new dev.socketserver.UnixStreamServer(dir.resolve("custom.sock"), conn -> conn.out().write('!'));
        });
        try (server) {
            server.start();
            assertThat(Files.isDirectory(directory[0])).isTrue();
            assertThat(Clients.streamExchange(server.address(), "")).isEqualTo("!");
            assertThatThrownBy(server::requests).isInstanceOf(IllegalStateException.class).hasMessageContaining("not recorded");
        }
        assertThat(directory[0]).doesNotExist();
        assertThatThrownBy(server::address).isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");
    }
}
