package dev.socketserver.junit;

import dev.socketserver.ConnectionHandler;
import dev.socketserver.DatagramHandler;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.TcpServer;
import dev.socketserver.ThreadModel;
import dev.socketserver.UdpServer;
import dev.socketserver.UnixAddress;
import dev.socketserver.UnixDatagramServer;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.Protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What {@link TestServer} builds for one run: the server of its kind, what owns that server (a
 * {@code RedisServer}, whose expiry sweep must stop too) and the temporary directory of its socket
 * file, closed together.
 */
final class KitServer {

    /** The kinds of server the kit builds. */
    enum Kind {
        TCP, UNIX, UDP, UNIXGRAM, ASYNC_TCP, ASYNC_UNIX, ASYNC_UDP, ASYNC_UNIXGRAM, CUSTOM, REDIS;

        boolean blocking() {
            return this == TCP || this == UNIX || this == UDP || this == UNIXGRAM;
        }

        boolean unix() {
            return this == UNIX || this == UNIXGRAM || this == ASYNC_UNIX || this == ASYNC_UNIXGRAM;
        }

        /** Whether the kit serves the handler itself, and so records what clients send. */
        boolean recorded() {
            return this != CUSTOM && this != REDIS;
        }
    }

    private final Server server;
    private final AutoCloseable owner;   // null when nothing owns the server
    private final Path directory;        // null when there is no socket file

    private KitServer(Server server, AutoCloseable owner, Path directory) {
        this.server = server;
        this.owner = owner;
        this.directory = directory;
    }

    /** Builds (and so binds) the server of {@code kind}; on failure, leaves nothing behind. */
    @SuppressWarnings("unchecked")
    static KitServer build(Kind kind, Object handler, Recorder recorder, ThreadModel concurrency, ServerOptions options) throws IOException {
        Path directory = kind.unix() || kind == Kind.CUSTOM ? temporaryDirectory() : null;
        try {
            Path socketFile = directory == null ? null : directory.resolve("s.sock");
            return switch (kind) {
                case TCP -> plain(new TcpServer(TestServer.loopback(), Recording.of((ConnectionHandler) handler, recorder), concurrency, options), directory);
                case UNIX -> plain(new UnixStreamServer(socketFile, Recording.of((ConnectionHandler) handler, recorder), concurrency, options), directory);
                case UDP -> plain(new UdpServer(TestServer.loopback(), Recording.of((DatagramHandler) handler, recorder), concurrency, options), directory);
                case UNIXGRAM -> plain(new UnixDatagramServer(UnixAddress.of(socketFile), Recording.of((DatagramHandler) handler, recorder),
                        concurrency, options), directory);
                case ASYNC_TCP -> plain(AsyncServer.tcp(TestServer.loopback(), Recording.of((Supplier<? extends Protocol>) handler, recorder), options),
                        directory);
                case ASYNC_UNIX -> plain(AsyncServer.unix(socketFile, Recording.of((Supplier<? extends Protocol>) handler, recorder), options), directory);
                case ASYNC_UDP -> plain(AsyncServer.udp(TestServer.loopback(), Recording.of((DatagramProtocol) handler, recorder), options), directory);
                case ASYNC_UNIXGRAM -> plain(AsyncServer.unixgram(UnixAddress.of(socketFile), Recording.of((DatagramProtocol) handler, recorder),
                        options), directory);
                case CUSTOM -> plain(Objects.requireNonNull(((ServerFactory) handler).create(directory), "the ServerFactory returned null"),
                        directory);
                case REDIS -> {
                    AutoCloseable redis = RedisKit.build(TestServer.loopback(), options);
                    yield new KitServer(RedisKit.serverOf(redis), redis, null);
                }
            };
        } catch (IOException | RuntimeException | Error e) {
            deleteDirectory(directory);
            throw e;
        }
    }

    private static KitServer plain(Server server, Path directory) {
        return new KitServer(server, null, directory);
    }

    Server server() {
        return server;
    }

    /** Closes the server at once, then what owns it, and deletes the temporary directory. */
    void close() {
        try {
            server.close();
            if (owner != null) {
                owner.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("closing " + owner + " failed", e);
        } finally {
            deleteDirectory(directory);
        }
    }

    /** A new directory short enough for a socket file's path (at most 107 bytes): under java.io.tmpdir, else /tmp. */
    private static Path temporaryDirectory() throws IOException {
        Path dir = Files.createTempDirectory("socketserver-junit");
        if (dir.resolve("s.sock").toString().length() <= 100 || !Files.isDirectory(Path.of("/tmp"))) {
            return dir;
        }
        Files.delete(dir);
        return Files.createTempDirectory(Path.of("/tmp"), "socketserver-junit");
    }

    private static void deleteDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory left behind is not worth failing a test for
        }
    }
}
