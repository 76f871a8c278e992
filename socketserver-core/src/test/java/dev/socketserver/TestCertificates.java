package dev.socketserver;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * The test certificates in {@code src/test/resources/tls/} (see the README there): the server's
 * context, and a client context that trusts it, with or without the client certificate. Public for
 * the tests of {@code dev.socketserver.async}.
 */
public final class TestCertificates {
    private TestCertificates() {
    }

    /** The directory of the PEM files. */
    public static Path directory() {
        try {
            return Path.of(TestCertificates.class.getResource("/tls/server-cert.pem").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's certificate and key. */
    public static SSLContext serverContext() throws Exception {
        Path dir = directory();
        return Tls.fromPem(dir.resolve("server-cert.pem"), dir.resolve("server-key.pem"));
    }

    /** The server's certificate and key, asking clients for a certificate signed by the test client CA. */
    public static SSLContext mutualServerContext() throws Exception {
        Path dir = directory();
        return Tls.fromPem(dir.resolve("server-cert.pem"), dir.resolve("server-key.pem"), dir.resolve("client-ca.pem"));
    }

    /** Trusts the test server's certificate; with {@code withCertificate}, presents the test client certificate. */
    public static SSLContext clientContext(boolean withCertificate) throws Exception {
        Path dir = directory();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("server-cert.pem"))) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCertificate) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            var key = java.security.KeyFactory.getInstance("EC").generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(
                    java.util.Base64.getMimeDecoder().decode(Files.readString(dir.resolve("client-key.pem"))
                            .replaceAll("-----[A-Z ]+-----", ""))));
            Certificate cert;
            try (InputStream in = Files.newInputStream(dir.resolve("client-cert.pem"))) {
                cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            keys.setKeyEntry("client", key, new char[0], new Certificate[] {cert});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
