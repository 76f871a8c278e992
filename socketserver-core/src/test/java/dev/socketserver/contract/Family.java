package dev.socketserver.contract;

import dev.socketserver.Concurrency;
import dev.socketserver.Connection;
import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.TcpServer;
import dev.socketserver.async.AsyncSeams;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two server families a contract test runs against: the blocking servers (a {@link TcpServer}
 * on virtual threads) and the event loop ({@link AsyncServer}). Each makes a TCP server on a free
 * port of 127.0.0.1 whose handler either echoes what it reads or, {@link Handler#FAILING}, throws
 * {@link HandlerFailure} once the first bytes arrive.
 */
enum Family {
    BLOCKING {
        @Override
        Server tcp(Handler handler, ServerOptions options) throws IOException {
            return new Blocking(handler, options);
        }
    },
    ASYNC {
        @Override
        Server tcp(Handler handler, ServerOptions options) throws IOException {
            return new Async(handler, options);
        }
    };

    /** A bound TCP server of this family with the default options, not yet serving: {@link Server#start()} it. */
    Server tcp(Handler handler) throws IOException {
        return tcp(handler, ServerOptions.defaults());
    }

    /** A bound TCP server of this family built with {@code options}, not yet serving: {@link Server#start()} it. */
    abstract Server tcp(Handler handler, ServerOptions options) throws IOException;

    /** What a server does with a connection once it reaches the handler. */
    enum Handler { ECHO, FAILING }

    /** What a {@link Handler#FAILING} handler throws. */
    static final class HandlerFailure extends RuntimeException {
        HandlerFailure() {
            super("the handler failed on purpose");
        }
    }

    /** One server of either family, seen through what the contract tests need. */
    interface Server extends AutoCloseable {
        /** Makes the next {@code count} accepts fail with an {@link IOException} saying {@code message}. */
        void failAccepts(int count, String message);

        void start();

        SocketAddress address();

        ServerStats stats();

        /** How many connections reached the handler. */
        int handled();

        @Override
        void close();
    }

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** What both families share once built: everything but the accept seam goes through {@link dev.socketserver.Server}. */
    private abstract static class Built implements Server {
        final AtomicInteger handled = new AtomicInteger();
        private dev.socketserver.Server server;

        final void built(dev.socketserver.Server server) {
            this.server = server;
        }

        @Override
        public void start() {
            try {
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public SocketAddress address() {
            return server.serverAddress();
        }

        @Override
        public ServerStats stats() {
            return server.stats();
        }

        @Override
        public int handled() {
            return handled.get();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static final class Blocking extends Built {
        private final AtomicInteger failingAccepts = new AtomicInteger();
        private volatile String acceptError;
        private final TcpServer server;

        Blocking(Handler handler, ServerOptions options) throws IOException {
            server = new TcpServer(LOOPBACK, conn -> {
                handled.incrementAndGet();
                if (handler == Handler.FAILING) {
                    conn.in().read();
                    throw new HandlerFailure();
                }
                conn.in().transferTo(conn.out());
            }, Concurrency.virtualThreads(), options) {
                @Override
                protected Connection getRequest() throws IOException {
                    if (failingAccepts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        throw new IOException(acceptError);
                    }
                    return super.getRequest();
                }
            };
            built(server);
        }

        @Override
        public void failAccepts(int count, String message) {
            acceptError = message;
            failingAccepts.set(count);
        }
    }

    private static final class Async extends Built {
        private final AsyncServer server;

        Async(Handler handler, ServerOptions options) throws IOException {
            server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
                Transport transport;

                @Override
                public void connectionMade(Transport t) {
                    handled.incrementAndGet();
                    transport = t;
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    if (handler == Handler.FAILING) {
                        throw new HandlerFailure();
                    }
                    transport.write(data);
                }
            }, options);
            server.setEventLoops(2);
            built(server);
        }

        @Override
        public void failAccepts(int count, String message) {
            AsyncSeams.failAccepts(server, count, message);
        }
    }
}
