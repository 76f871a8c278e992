package dev.socketserver.contract;

import dev.socketserver.Concurrency;
import dev.socketserver.Connection;
import dev.socketserver.ProxyInfo;
import dev.socketserver.ServerOptions;
import dev.socketserver.ServerStats;
import dev.socketserver.TcpServer;
import dev.socketserver.async.AsyncSeams;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import javax.management.ObjectName;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The two server families a contract test runs against: the blocking servers (a {@link TcpServer}
 * on virtual threads) and the event loop ({@link AsyncServer}). Each makes a TCP server on a free
 * port of 127.0.0.1 whose handler (blocking) or protocol (event loop) records what it {@linkplain
 * Seen saw} of its connection when it began, then echoes what it reads, or fails as its
 * {@link Handler} says.
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
    enum Handler {
        /** Echoes every byte it reads. */
        ECHO,
        /** Throws {@link HandlerFailure} once the first bytes arrive. */
        FAILING,
        /** Echoes, unless the first byte it reads is {@code '!'}: then it throws {@link HandlerFailure}. */
        ECHO_UNLESS_BANG,
        /** Answers each line {@code L} with its own small write of {@code ok L\n}: a request-reply protocol. */
        OK_PER_LINE
    }

    /** The reply of {@link Handler#OK_PER_LINE} to {@code line}. */
    static String okReply(String line) {
        return "ok " + line + "\n";
    }

    /** What a failing handler throws. */
    static final class HandlerFailure extends RuntimeException {
        HandlerFailure() {
            super("the handler failed on purpose");
        }
    }

    /**
     * What the handler (blocking) or the protocol (event loop) saw of its connection when it began:
     * the client's address, and the TLS session and the PROXY header, when those are on.
     *
     * @param client {@code Connection.clientAddress()} or {@code Transport.clientAddress()}
     * @param tlsProtocol the TLS session's protocol, such as {@code TLSv1.3}; empty on a plain connection
     * @param sni the SNI host name the client asked for
     * @param clientCertificate the subject of the client's certificate, under mutual TLS
     * @param alpn the application protocol ALPN chose
     * @param proxy what the PROXY header said
     */
    record Seen(SocketAddress client, Optional<String> tlsProtocol, Optional<String> sni, Optional<String> clientCertificate,
                Optional<String> alpn, Optional<ProxyInfo> proxy) {

        static Seen of(SocketAddress client, Optional<SSLSession> session, Optional<String> alpn, Optional<ProxyInfo> proxy) {
            return new Seen(client, session.map(SSLSession::getProtocol), session.flatMap(Seen::sni),
                    session.flatMap(Seen::clientCertificate), alpn, proxy);
        }

        private static Optional<String> sni(SSLSession session) {
            return session instanceof ExtendedSSLSession e && !e.getRequestedServerNames().isEmpty()
                    ? Optional.of(((SNIHostName) e.getRequestedServerNames().getFirst()).getAsciiName())
                    : Optional.empty();
        }

        private static Optional<String> clientCertificate(SSLSession session) {
            try {
                return Optional.of(((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName());
            } catch (SSLPeerUnverifiedException none) {
                return Optional.empty();
            }
        }
    }

    /** One server of either family, seen through what the contract tests need. */
    interface Server extends AutoCloseable {
        /**
         * Before each accept, asks {@code failure}: a non-null answer fails that accept with an
         * {@link IOException} saying it (as when the process is out of descriptors). Before {@link #start()}.
         */
        void failAccepts(Supplier<String> failure);

        /** Makes the next {@code count} accepts fail with an {@link IOException} saying {@code message}. Before {@link #start()}. */
        default void failAccepts(int count, String message) {
            AtomicInteger left = new AtomicInteger(count);
            failAccepts(() -> left.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? message : null);
        }

        void start();

        SocketAddress address();

        ServerStats stats();

        /** {@link dev.socketserver.Server#activeRequests()}: the open connections. */
        int activeRequests();

        /** {@link dev.socketserver.Server#registerJmx(String)}. */
        ObjectName registerJmx(String name);

        /** The live setter of both families ({@code StreamServer} and {@code AsyncServer}). */
        void setIdleTimeout(Duration timeout);

        Duration idleTimeout();

        /** The request deadline the server took from its options. */
        Duration requestDeadline();

        /** The live setter of both families ({@code BaseServer} and {@code AsyncServer}). */
        void setMaxConnections(int max);

        int maxConnections();

        /** How many connections reached the handler. */
        default int handled() {
            return seen().size();
        }

        /** What each connection's handler saw when it began, in the order they began. */
        List<Seen> seen();

        /** The most handlers (blocking) or protocols (event loop) that were running at once. */
        int mostAtOnce();

        @Override
        void close();
    }

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    /** What both families share once built: everything but the live setters and the accept seam goes through {@link dev.socketserver.Server}. */
    private abstract static class Built implements Server {
        private final List<Seen> seen = new CopyOnWriteArrayList<>();
        private final AtomicInteger running = new AtomicInteger();
        private final AtomicInteger mostAtOnce = new AtomicInteger();
        private dev.socketserver.Server server;

        final void built(dev.socketserver.Server server) {
            this.server = server;
        }

        /** A handler or protocol began, having seen {@code what}. */
        final void began(Seen what) {
            seen.add(what);
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
        }

        /** A handler or protocol that {@link #began} has ended. */
        final void ended() {
            running.decrementAndGet();
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
        public int activeRequests() {
            return server.activeRequests();
        }

        @Override
        public ObjectName registerJmx(String name) {
            return server.registerJmx(name);
        }

        @Override
        public List<Seen> seen() {
            return List.copyOf(seen);
        }

        @Override
        public int mostAtOnce() {
            return mostAtOnce.get();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static final class Blocking extends Built {
        private volatile Supplier<String> acceptFailure = () -> null;
        private final TcpServer server;

        Blocking(Handler handler, ServerOptions options) throws IOException {
            server = new TcpServer(LOOPBACK, conn -> {
                began(Seen.of(conn.clientAddress(), conn.tlsSession(), conn.tlsApplicationProtocol(), conn.proxyInfo()));
                try {
                    switch (handler) {
                        case ECHO -> conn.in().transferTo(conn.out());
                        case FAILING -> {
                            conn.in().read();
                            throw new HandlerFailure();
                        }
                        case ECHO_UNLESS_BANG -> {
                            int first = conn.in().read();
                            if (first == '!') {
                                throw new HandlerFailure();
                            }
                            if (first >= 0) {
                                conn.out().write(first);
                                conn.in().transferTo(conn.out());
                            }
                        }
                        case OK_PER_LINE -> {
                            for (String line = conn.readLine(); line != null; line = conn.readLine()) {
                                conn.out().write(okReply(line).getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                    }
                } finally {
                    ended();
                }
            }, Concurrency.virtualThreads(), options) {
                @Override
                protected Connection getRequest() throws IOException {
                    String failure = acceptFailure.get();
                    if (failure != null) {
                        throw new IOException(failure);
                    }
                    return super.getRequest();
                }
            };
            built(server);
        }

        @Override
        public void failAccepts(Supplier<String> failure) {
            acceptFailure = failure;
        }

        @Override
        public void setIdleTimeout(Duration timeout) {
            server.setIdleTimeout(timeout);
        }

        @Override
        public Duration idleTimeout() {
            return server.idleTimeout();
        }

        @Override
        public Duration requestDeadline() {
            return server.requestDeadline();
        }

        @Override
        public void setMaxConnections(int max) {
            server.setMaxConnections(max);
        }

        @Override
        public int maxConnections() {
            return server.maxConnections();
        }
    }

    private static final class Async extends Built {
        private final AsyncServer server;

        Async(Handler handler, ServerOptions options) throws IOException {
            server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
                Transport transport;
                boolean first = true;
                final StringBuilder partial = new StringBuilder();   // OK_PER_LINE: the line so far

                @Override
                public void connectionMade(Transport t) {
                    transport = t;
                    began(Seen.of(t.clientAddress(), t.tlsSession(), t.tlsApplicationProtocol(), t.proxyInfo()));
                }

                @Override
                public void dataReceived(ByteBuffer data) {
                    boolean bang = first && data.hasRemaining() && data.get(data.position()) == '!';
                    first = false;
                    if (handler == Handler.FAILING || (handler == Handler.ECHO_UNLESS_BANG && bang)) {
                        throw new HandlerFailure();
                    }
                    if (handler == Handler.OK_PER_LINE) {
                        while (data.hasRemaining()) {
                            char c = (char) data.get();
                            if (c == '\n') {
                                transport.write(okReply(partial.toString()).getBytes(StandardCharsets.US_ASCII));
                                partial.setLength(0);
                            } else {
                                partial.append(c);
                            }
                        }
                        return;
                    }
                    transport.write(data);
                }

                @Override
                public void connectionLost(Throwable cause) {
                    ended();
                }
            }, options);
            server.setEventLoops(2);
            built(server);
        }

        @Override
        public void failAccepts(Supplier<String> failure) {
            AsyncSeams.failAccepts(server, failure);
        }

        @Override
        public void setIdleTimeout(Duration timeout) {
            server.setIdleTimeout(timeout);
        }

        @Override
        public Duration idleTimeout() {
            return server.idleTimeout();
        }

        @Override
        public Duration requestDeadline() {
            return server.requestDeadline();
        }

        @Override
        public void setMaxConnections(int max) {
            server.setMaxConnections(max);
        }

        @Override
        public int maxConnections() {
            return server.maxConnections();
        }
    }
}
