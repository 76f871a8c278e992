package dev.socketserver.contract;

import dev.socketserver.TestServers;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Blocking clients and waiting for the contract tests: every wait is bounded. */
final class Clients {
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private Clients() {
    }

    /** A client connected to {@code server} from {@code from} (an address to bind, or null), with a read timeout. */
    static Socket connect(SocketAddress server, String from) throws IOException {
        Socket client = new Socket();
        try {
            if (from != null) {
                client.bind(new InetSocketAddress(from, 0));
            }
            client.connect(server, (int) DEADLINE.toMillis());
            client.setSoTimeout((int) DEADLINE.toMillis());
            return client;
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }

    /**
     * A TLS client of {@code server} made with {@code context}, asking for {@code sni} and offering
     * {@code alpn} (nothing when empty), with a read timeout. The handshake starts at the first read or write.
     */
    static SSLSocket tls(SocketAddress server, SSLContext context, String sni, String... alpn) throws IOException {
        var address = (InetSocketAddress) server;
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(sni)));
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        socket.setSSLParameters(parameters);
        socket.setSoTimeout((int) DEADLINE.toMillis());
        return socket;
    }

    /** Reads up to a newline, one byte at a time (so nothing after it is taken); null at EOF with nothing read. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            line.append((char) b);
        }
        return line.toString();
    }

    /** Sends {@code bytes} from {@code from}, then EOF; returns all the server sent ("" if it reset). */
    static String exchange(SocketAddress server, String from, byte[] bytes) throws IOException {
        try (Socket client = connect(server, from)) {
            client.getOutputStream().write(bytes);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    /** Whether the server ends the connection (EOF or reset) within the client's read timeout. */
    static boolean endedByServer(Socket client) throws IOException {
        try {
            return client.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Polls {@code condition} for {@code period} and fails saying {@code what} as soon as it does
     * not hold: for what must not happen (nothing more is accepted, nobody is closed) however long one looks.
     */
    static void holdsFor(Duration period, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + period.toNanos();
        do {
            if (!condition.getAsBoolean()) {
                throw new AssertionError("stopped being true within " + period.toMillis() + " ms: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        } while (System.nanoTime() - end < 0);
    }

    /**
     * Lets {@code period} pass: the pace of a client (a byte every 100 ms, one byte per segment)
     * or the window in which the server's attempts are counted; never a wait for the server to do
     * something, which {@link #await} polls for.
     */
    static void pace(Duration period) {
        long end = System.nanoTime() + period.toNanos();
        for (long left = period.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** Polls {@code condition} until it holds, for up to {@link #DEADLINE}; fails saying {@code what} after that. */
    static void await(String what, BooleanSupplier condition) {
        TestServers.await(DEADLINE, what, condition);
    }
}
