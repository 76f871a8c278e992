package dev.socketserver.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The TLS policy of both server families, in one place: the blocking servers' {@link TlsConnection}
 * and the event loop's TLS layer make their engines here and ask here what to do with a handshake
 * after the first one.
 *
 * <ul>
 *   <li>TLS 1.2 and 1.3 only, with the JDK's default cipher suites.</li>
 *   <li>A new handshake started by the peer after the first one, under TLS 1.2, is a
 *       renegotiation: refused (each costs the server a full handshake, the CVE-2011-1473 class
 *       of denial of service; the JDK's engine would accept it). The connection is closed, the
 *       refusal counted ({@code tlsRenegotiationsRefused} in the statistics) and logged at
 *       {@code WARNING} at most once a second.</li>
 *   <li>TLS 1.3 has no renegotiation: its post-handshake messages (a KeyUpdate, which asks for
 *       one in return; a NewSessionTicket) are answered as usual.</li>
 * </ul>
 *
 * <p>The static methods keep no state. An instance belongs to one server and may be called from
 * any thread.
 */
public final class TlsPolicy {
    private static final System.Logger LOG = System.getLogger(Loggers.TLS);
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final ServerCounters counters;
    private final RateLimitedLog renegotiations = new RateLimitedLog(LOG, Duration.ofSeconds(1));

    /** The policy of a server whose statistics are {@code counters}. */
    public TlsPolicy(ServerCounters counters) {
        this.counters = counters;
    }

    /**
     * A server-side engine for a client at {@code peer}: TLS 1.2 and 1.3 only, the given ALPN
     * protocols (none: no ALPN), and client certificates required if {@code needClientAuth}.
     */
    public static SSLEngine serverEngine(SSLContext context, SocketAddress peer, boolean needClientAuth,
                                         List<String> applicationProtocols) {
        SSLEngine engine = peer instanceof InetSocketAddress inet
                ? context.createSSLEngine(inet.getHostString(), inet.getPort()) : context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(protocols(engine));
        if (needClientAuth) {
            engine.setNeedClientAuth(true);
        }
        if (!applicationProtocols.isEmpty()) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
            engine.setSSLParameters(parameters);
        }
        return engine;
    }

    /** A client-side engine for {@code host}, TLS 1.2 and 1.3 only: for tests and tools. */
    public static SSLEngine clientEngine(SSLContext context, String host) {
        SSLEngine engine = context.createSSLEngine(host, 0);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(protocols(engine));
        return engine;
    }

    private static String[] protocols(SSLEngine engine) {
        List<String> supported = Arrays.asList(engine.getSupportedProtocols());
        return PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
    }

    /**
     * Whether an {@code unwrap} after the first handshake finished, which left the engine in
     * {@code status}, began a renegotiation to refuse: the peer started a new handshake, and the
     * connection is not TLS 1.3 (where a handshake status after the first handshake is a
     * post-handshake message to answer, such as a KeyUpdate).
     */
    public static boolean isRenegotiation(SSLEngine engine, HandshakeStatus status) {
        return status != HandshakeStatus.NOT_HANDSHAKING && status != HandshakeStatus.FINISHED
                && !"TLSv1.3".equals(engine.getSession().getProtocol());
    }

    /** What ends a connection whose renegotiation was refused: its reads throw it. */
    public static SSLException refusal() {
        return new SSLException("TLS renegotiation asked for by the client is refused");
    }

    /** Counts a refused renegotiation by the client at {@code peer}, and logs it unless one was logged within a second. */
    public void renegotiationRefused(SocketAddress peer) {
        counters.tlsRenegotiationsRefused.increment();
        renegotiations.log(Level.WARNING, () -> "TLS renegotiation asked for by " + Addresses.format(peer)
                + " refused; the connection is closed");
    }
}
