package dev.socketserver.internal.linux;

import dev.socketserver.Concurrency;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.ThreadModel;
import dev.socketserver.UnixAddress;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unix stream servers at abstract names ({@code unix:@name}), which the JDK cannot bind: the socket
 * is bound through libc and served by a JDK channel, in both families. The client here is libc's,
 * since the JDK cannot connect to an abstract name either.
 */
@Timeout(30)
class AbstractStreamServerTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static UnixAddress freshName() {
        return UnixAddress.ofAbstract("socketserver-test-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet());
    }

    private static Server blockingEcho(UnixAddress address, ThreadModel model, ServerOptions options) throws IOException {
        return new UnixStreamServer(address, conn -> conn.in().transferTo(conn.out()), model, options);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "threads", "virtual"})
    void aBlockingServerEchoesOnAnAbstractName(String model) throws Exception {
        ThreadModel threads = switch (model) {
            case "sync" -> Concurrency.synchronous();
            case "threads" -> Concurrency.threads();
            default -> Concurrency.virtualThreads();
        };
        UnixAddress name = freshName();
        try (Server server = blockingEcho(name, threads, ServerOptions.defaults())) {
            server.start();
            assertThat(server.serverAddress()).isEqualTo(name);
            assertThat(server.serverUri()).isEqualTo("unix:" + name);
            assertThat(exchange(name, "hello abstract\n")).isEqualTo("hello abstract\n");
            assertThat(exchange(name, "again\n")).isEqualTo("again\n");
        }
    }

    @Test
    void anEventLoopServerEchoesOnAnAbstractName() throws Exception {
        UnixAddress name = freshName();
        try (Server server = AsyncServer.unix(name, () -> new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport transport) {
                this.transport = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        }, ServerOptions.defaults())) {
            server.start();
            assertThat(server.serverUri()).isEqualTo("unix:" + name);
            assertThat(exchange(name, "event loop\n")).isEqualTo("event loop\n");
        }
    }

    @Test
    void theNameIsFreeAgainAfterCloseAndATakenNameIsRefused() throws Exception {
        UnixAddress name = freshName();
        try (Server warmUp = blockingEcho(name, Concurrency.virtualThreads(), ServerOptions.defaults())) {
            warmUp.start();   // the JDK's virtual-thread pollers open their descriptors once, for good
            assertThat(exchange(name, "warm\n")).isEqualTo("warm\n");
        }
        int before = NativeTesting.openDescriptors();
        try (Server first = blockingEcho(name, Concurrency.virtualThreads(), ServerOptions.defaults())) {
            assertThatThrownBy(() -> blockingEcho(name, Concurrency.virtualThreads(), ServerOptions.defaults()))
                    .isInstanceOf(BindException.class).hasMessageContaining("unix:" + name).hasMessageContaining("EADDRINUSE");
            assertThatThrownBy(() -> AsyncServer.unix(name, () -> new Protocol() { }, ServerOptions.defaults()))
                    .isInstanceOf(BindException.class);
        }
        try (Server again = blockingEcho(name, Concurrency.virtualThreads(), ServerOptions.defaults())) {
            again.start();
            assertThat(exchange(name, "x\n")).isEqualTo("x\n");
        }
        assertThat(NativeTesting.awaitTrue(java.time.Duration.ofSeconds(5), () -> NativeTesting.openDescriptors() <= before))
                .as("no descriptor left behind: %d before, %d after", before, NativeTesting.openDescriptors()).isTrue();
    }

    @Test
    void anAbstractNameHasNoFileSoNoPathAndNoPermissions() throws Exception {
        UnixAddress name = freshName();
        var withMode = ServerOptions.builder().socketPermissions(PosixFilePermissions.fromString("rw-------")).build();
        assertThatIllegalArgumentException().isThrownBy(() -> blockingEcho(name, Concurrency.virtualThreads(), withMode))
                .withMessageContaining("has none");
        assertThatIllegalArgumentException().isThrownBy(() -> AsyncServer.unix(name, () -> new Protocol() { }, withMode))
                .withMessageContaining("has none");
        try (var server = new UnixStreamServer(name, conn -> { }, Concurrency.virtualThreads(), ServerOptions.defaults())) {
            assertThatIllegalStateException().isThrownBy(server::path).withMessageContaining("abstract name");
        }
    }

    /** Connects with libc, sends {@code text}, and reads as many bytes back. */
    private static String exchange(UnixAddress name, String text) throws IOException {
        byte[] request = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            int fd = LibCSockets.socket(state, LibCSockets.AF_UNIX, LibCSockets.SOCK_STREAM | LibCSockets.SOCK_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            try {
                MemorySegment sockaddr = arena.allocate(LibCSockets.SOCKADDR_UN_SIZE);
                int length = UnixSockaddr.encode(name, sockaddr);
                if (LibCSockets.connect(state, fd, sockaddr, length) != 0) {
                    throw LibC.error("connect", "unix:" + name, LibC.errno(state));
                }
                NativeTesting.writeAll(fd, request);
                MemorySegment buffer = arena.allocate(request.length);
                long got = 0;
                while (got < request.length) {
                    long n = LibC.read(state, fd, buffer.asSlice(got), request.length - got);
                    if (n <= 0) {
                        break;
                    }
                    got += n;
                }
                return new String(buffer.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            } finally {
                LibC.close(state, fd);
            }
        }
    }
}
