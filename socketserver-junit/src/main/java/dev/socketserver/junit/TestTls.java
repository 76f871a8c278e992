package dev.socketserver.junit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/**
 * TLS for tests without a hand-built {@link SSLContext}: the kit's own test certificate for a
 * server, and client contexts that trust it or any PEM certificate.
 *
 * <p>The test certificate is self-signed for {@code localhost}, {@code 127.0.0.1} and {@code ::1},
 * with an EC P-256 key, valid from 2000 to 2147. Its private key ships in this jar and is public:
 * never use it outside tests.
 *
 * {@snippet :
 * @RegisterExtension
 * static TestServer server = TestServer.tcp(conn -> conn.in().transferTo(conn.out())).withTls();
 *
 * try (Socket socket = server.sslSocketFactory().createSocket(server.host(), server.port())) { ... }
 * // or, for a client of your own:  TestTls.trustingTestCertificate()
 * }
 */
public final class TestTls {
    private static final String CERTIFICATE = "test-certificate.pem";
    private static final String KEY = "test-key.pem";

    private TestTls() {
    }

    /** A server context with the test certificate and its key: what {@link TestServer#withTls()} serves. */
    public static SSLContext serverContext() {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            Certificate[] chain = certificates(resource(CERTIFICATE)).toArray(Certificate[]::new);
            keys.setKeyEntry("test", privateKey(new String(resource(KEY), StandardCharsets.US_ASCII)), new char[0], chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the kit's test certificate", e);
        }
    }

    /** A client context that trusts the test certificate, and nothing else. */
    public static SSLContext trustingTestCertificate() {
        try {
            return trusting(certificates(resource(CERTIFICATE)));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot load the kit's test certificate", e);
        }
    }

    /**
     * A client context that trusts every certificate in {@code pemFile} (one or more
     * {@code -----BEGIN CERTIFICATE-----} blocks: a server's certificate or the CA that signed it),
     * and nothing else.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it holds no certificate
     */
    public static SSLContext trusting(Path pemFile) throws IOException {
        try {
            Collection<? extends Certificate> certificates = certificates(Files.readAllBytes(pemFile));
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(pemFile + " holds no PEM certificate");
            }
            return trusting(certificates);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(pemFile + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static SSLContext trusting(Collection<? extends Certificate> certificates) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            trust.setCertificateEntry("trusted-" + i++, certificate);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static Collection<? extends Certificate> certificates(byte[] pem) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").strip());
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    private static byte[] resource(String name) {
        try (InputStream in = TestTls.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the socketserver-junit jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
