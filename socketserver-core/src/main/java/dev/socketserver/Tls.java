package dev.socketserver;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the {@link SSLContext} a server needs from the files people have: a PEM certificate
 * chain and private key (as written by {@code openssl} or Let's Encrypt), or a PKCS#12 file.
 *
 * {@snippet :
 * ServerOptions options = ServerOptions.builder().tls(TlsOptions.of(Tls.fromPem(Path.of("cert.pem"), Path.of("key.pem")))).build();
 * }
 */
public final class Tls {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private Tls() {
    }

    /**
     * A server context from a PEM certificate chain (leaf first) and an unencrypted PKCS#8 PEM
     * private key ({@code -----BEGIN PRIVATE KEY-----}; RSA, EC or EdDSA).
     *
     * @throws IOException if a file cannot be read or holds no usable certificate or key; the
     *     message names the file and, for a PKCS#1 or SEC1 key, the {@code openssl} command that converts it
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey) throws IOException {
        Certificate[] chain = readCertificates(certificateChain);
        PrivateKey key = readPrivateKey(privateKey);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, NO_PASSWORD, chain);
            return context(store, NO_PASSWORD, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificateChain + " with " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /** A server context from a PKCS#12 file holding the key and its certificate chain. */
    public static SSLContext fromPkcs12(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return context(store, password, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load PKCS#12 file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A server context like {@link #fromPem}, that also trusts client certificates issued by the
     * PEM certificates in {@code clientCas}; pair it with {@link TlsOptions#withClientAuth()}.
     */
    public static SSLContext fromPem(Path certificateChain, Path privateKey, Path clientCas) throws IOException {
        Certificate[] chain = readCertificates(certificateChain);
        PrivateKey key = readPrivateKey(privateKey);
        Certificate[] cas = readCertificates(clientCas);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, NO_PASSWORD, chain);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < cas.length; i++) {
                trust.setCertificateEntry("ca" + i, cas[i]);
            }
            return context(store, NO_PASSWORD, trust);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use " + certificateChain + ", " + privateKey + " and " + clientCas + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext context(KeyStore keys, char[] password, KeyStore trust) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        TrustManagerFactory tmf = null;
        if (trust != null) {
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return context;
    }

    private static Certificate[] readCertificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certificates.toArray(Certificate[]::new);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " holds no readable PEM certificate: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            String hint = text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")
                    ? "; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem"
                    : text.contains("ENCRYPTED PRIVATE KEY") ? "; the key is encrypted: decrypt it with openssl pkcs8 -in " + file : "";
            throw new IOException(file + " holds no unencrypted PKCS#8 private key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException(file + " holds a private key of an algorithm this JDK does not know");
    }
}
