package dev.socketserver.redis;

import dev.socketserver.Concurrency;
import dev.socketserver.ProcessModel;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.TcpServer;
import dev.socketserver.UnixStreamServer;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.redis.internal.BlockingRedisHandler;
import dev.socketserver.redis.internal.Engine;
import dev.socketserver.redis.internal.RedisProtocol;
import dev.socketserver.redis.internal.RequestParser;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A Redis-compatible server in this JVM: RESP2, one in-memory database, the commonest commands
 * (strings, keys with expiry, lists, sets, hashes, sorted sets), for tests of Redis clients and
 * as a worked example of a real protocol on socketserver. Any Redis client talks to it.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start()) {          // 127.0.0.1, a free port, virtual threads
 *     var jedis = new Jedis("127.0.0.1", redis.port());
 *     jedis.set("greeting", "hello");
 * }
 * }</pre>
 *
 * <p>One command engine serves both families: a blocking handler under any {@link Concurrency}
 * thread model ({@link Builder#concurrency}), or the event loop ({@link Builder#eventLoop}).
 * Process models are refused: worker processes or a process per connection could not share
 * the data, which lives in this JVM's heap. Nothing is persisted, nothing is replicated, and
 * there is one database ({@code SELECT 0}).
 *
 * <p>A request is refused without being read into memory when one of its arguments is longer
 * than 512 MiB (Redis's limit) or the whole is longer than {@link Builder#maxRequestBytes}
 * (64 MiB by default): the client gets {@code -ERR Protocol error: ...} and the connection is
 * closed, as Redis does with a protocol error.
 *
 * <p>Thread-safe. {@link #close()} stops the server and the sweep of expired keys at once;
 * {@code server().shutdown(drain)} drains first.
 */
public final class RedisServer implements AutoCloseable {
    private final Server server;
    private final Engine engine;

    private RedisServer(Server server, Engine engine) {
        this.server = server;
        this.engine = engine;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port, with a virtual thread per connection.
     *
     * @throws IOException if it cannot bind
     */
    public static RedisServer start() throws IOException {
        return builder().start();
    }

    /** A builder: where to listen, which family serves, with which options. */
    public static Builder builder() {
        return new Builder();
    }

    /** The bound address, with the real port when port 0 was asked for. */
    public SocketAddress address() {
        return server.serverAddress();
    }

    /**
     * The bound TCP port.
     *
     * @throws IllegalStateException if the server listens on a Unix socket
     */
    public int port() {
        if (server.serverAddress() instanceof InetSocketAddress inet) {
            return inet.getPort();
        }
        throw new IllegalStateException("the server listens on " + server.serverUri() + ", which has no port");
    }

    /** The server underneath: for its counters ({@code stats()}), a draining {@code shutdown}, or {@code serveForever()} on a built one. */
    public Server server() {
        return server;
    }

    /** The number of keys, as DBSIZE counts them. */
    public int dbSize() {
        return engine.size();
    }

    /** Removes every key, as FLUSHALL does: handy between tests. */
    public void flushAll() {
        engine.clear();
    }

    /** Closes the server and its connections at once, and stops the expiry sweep. Idempotent. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            engine.close();
        }
    }

    @Override
    public String toString() {
        return "RedisServer[" + server.serverUri() + "]";
    }

    /**
     * Chooses where a {@link RedisServer} listens and how it serves. Defaults: 127.0.0.1 on a free
     * port, a virtual thread per connection, {@link ServerOptions#defaults()}, requests of at most
     * 64 MiB.
     */
    public static final class Builder {
        private InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private Path socketFile;       // non-null: a Unix stream socket instead of address
        private Concurrency concurrency = Concurrency.virtualThreads();
        private int eventLoops = -1;   // -1: the blocking family
        private ServerOptions options = ServerOptions.defaults();
        private long maxRequestBytes = RequestParser.DEFAULT_MAX_REQUEST;

        private Builder() {
        }

        /** Listens on a TCP address; port 0 picks a free port. */
        public Builder listen(InetSocketAddress address) {
            this.address = Objects.requireNonNull(address, "address");
            this.socketFile = null;
            return this;
        }

        /** Listens on a Unix stream socket at {@code socketFile}. */
        public Builder listen(Path socketFile) {
            this.socketFile = Objects.requireNonNull(socketFile, "socketFile");
            return this;
        }

        /**
         * Serves with blocking handlers under {@code concurrency}: {@code synchronous()},
         * {@code threads()}, {@code virtualThreads()} (the default) or {@code bounded(n)}.
         *
         * @throws IllegalArgumentException for a process model, which could not share the data
         */
        public Builder concurrency(Concurrency concurrency) {
            Objects.requireNonNull(concurrency, "concurrency");
            if (concurrency instanceof ProcessModel) {
                throw new IllegalArgumentException("the Redis server keeps its data in this JVM's memory, which "
                        + concurrency + " (other processes) cannot share: use a thread model or the event loop");
            }
            this.concurrency = concurrency;
            this.eventLoops = -1;
            return this;
        }

        /** Serves on the event loop, with one loop per processor. */
        public Builder eventLoop() {
            return eventLoop(0);
        }

        /**
         * Serves on the event loop, with {@code loops} loops (0: one per processor).
         *
         * @throws IllegalArgumentException if {@code loops} is negative
         */
        public Builder eventLoop(int loops) {
            if (loops < 0) {
                throw new IllegalArgumentException("the number of event loops must be 0 (one per processor) or more, got " + loops);
            }
            this.eventLoops = loops;
            return this;
        }

        /** The server's options: TLS, timeouts, connection limit, water marks... */
        public Builder options(ServerOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * The most bytes one request may take, its arguments and their framing together; a longer
         * one is refused before it is read. Default 64 MiB; a single argument is limited to 512 MiB
         * whatever this says.
         *
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("the request limit must be 1 byte or more, got " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * Binds the server without serving yet: clients wait in the backlog until
         * {@code server().start()} or {@code server().serveForever()}.
         *
         * @throws IOException if it cannot bind
         */
        public RedisServer build() throws IOException {
            var engine = new Engine();
            try {
                Server server = bind(engine);
                if (server.serverAddress() instanceof InetSocketAddress inet) {
                    engine.port(inet.getPort());
                }
                return new RedisServer(server, engine);
            } catch (IOException | RuntimeException e) {
                engine.close();
                throw e;
            }
        }

        /**
         * Binds the server and serves in the background.
         *
         * @throws IOException if it cannot bind
         */
        public RedisServer start() throws IOException {
            RedisServer redis = build();
            try {
                redis.server.start();
            } catch (IOException | RuntimeException e) {
                redis.close();
                throw e;
            }
            return redis;
        }

        private Server bind(Engine engine) throws IOException {
            long max = maxRequestBytes;
            if (eventLoops >= 0) {
                AsyncServer server = socketFile == null
                        ? AsyncServer.tcp(address, () -> new RedisProtocol(engine, max), options)
                        : AsyncServer.unix(socketFile, () -> new RedisProtocol(engine, max), options);
                if (eventLoops > 0) {
                    server.setEventLoops(eventLoops);
                }
                return server;
            }
            var handler = new BlockingRedisHandler(engine, max);
            return socketFile == null
                    ? new TcpServer(address, handler, concurrency, options)
                    : new UnixStreamServer(socketFile, handler, concurrency, options);
        }
    }
}
