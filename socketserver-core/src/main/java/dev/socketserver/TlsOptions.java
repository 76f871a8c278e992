package dev.socketserver;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * TLS for a stream server, part of {@link ServerOptions}: the server's certificate and key (as an
 * {@link SSLContext}), whether clients must present certificates, the ALPN protocols offered, and
 * the handshake deadline. The same in every family: TLS 1.2 and 1.3 only, with the JDK's default
 * cipher suites; a client's renegotiation refused (the connection is closed, counted and logged);
 * a TLS 1.3 key update answered. A client that fails the handshake or runs out of time is closed
 * before the handler or protocol runs, counted in {@link ServerStats#tlsHandshakeFailures()}, and
 * logged at most once a second. Blocking servers run the handshake in the request's own thread,
 * never the serving thread; the event loop on the connection's loop. Handlers see the session in
 * {@link Connection#tlsSession()}, protocols in {@code Transport.tlsSession()}. A client that
 * offers ALPN protocols none of which the server speaks fails the handshake, as the ALPN spec asks.
 *
 * <pre>{@code
 * TlsOptions tls = TlsOptions.fromPem(Path.of("cert.pem"), Path.of("key.pem")).withApplicationProtocols("h2", "http/1.1");
 * }</pre>
 *
 * @param context the server's context, with its certificate chain and key
 * @param needClientAuth whether a client must present a certificate the context trusts
 * @param applicationProtocols the ALPN protocols offered, in order of preference; empty: no ALPN
 * @param handshakeDeadline how long a client has for the whole handshake, counted from the
 *     accept (a deadline, not a timeout); default {@link #DEFAULT_HANDSHAKE_DEADLINE}
 */
public record TlsOptions(SSLContext context, boolean needClientAuth, List<String> applicationProtocols, Duration handshakeDeadline) {
    /** How long a client has to finish the TLS handshake unless told otherwise. */
    public static final Duration DEFAULT_HANDSHAKE_DEADLINE = Duration.ofSeconds(10);

    /**
     * Checks and copies the values.
     *
     * @throws IllegalArgumentException if the deadline is not positive or a protocol name is empty
     */
    public TlsOptions {
        Objects.requireNonNull(context, "context");
        applicationProtocols = List.copyOf(applicationProtocols);
        for (String protocol : applicationProtocols) {
            if (protocol.isEmpty()) {
                throw new IllegalArgumentException("an ALPN protocol name must not be empty");
            }
        }
        Objects.requireNonNull(handshakeDeadline, "handshakeDeadline");
        if (handshakeDeadline.isNegative() || handshakeDeadline.isZero()) {
            throw new IllegalArgumentException("TLS handshake deadline must be positive, got " + handshakeDeadline);
        }
    }

    /** TLS with {@code context}, no client certificates, no ALPN, the default handshake deadline. */
    public static TlsOptions of(SSLContext context) {
        return new TlsOptions(context, false, List.of(), DEFAULT_HANDSHAKE_DEADLINE);
    }

    /** TLS with a PEM certificate chain and its PKCS#8 key; see {@link Tls#fromPem}. */
    public static TlsOptions fromPem(Path certificateChain, Path privateKey) throws IOException {
        return of(Tls.fromPem(certificateChain, privateKey));
    }

    /** These options with client certificates required. */
    public TlsOptions withClientAuth() {
        return new TlsOptions(context, true, applicationProtocols, handshakeDeadline);
    }

    /** These options offering the ALPN {@code protocols}, in order of preference. */
    public TlsOptions withApplicationProtocols(String... protocols) {
        return new TlsOptions(context, needClientAuth, List.of(protocols), handshakeDeadline);
    }

    /** These options with another handshake deadline. */
    public TlsOptions withHandshakeDeadline(Duration deadline) {
        return new TlsOptions(context, needClientAuth, applicationProtocols, deadline);
    }
}
