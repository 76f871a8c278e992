package dev.socketserver.internal;

import dev.socketserver.Connection;
import dev.socketserver.ProxyInfo;
import dev.socketserver.internal.proxy.ProxyHeader;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * The blocking stream servers' PROXY header read: from the connection's stream, within the header
 * deadline of {@link ProxyAdmission}, which decides whom to admit and counts and logs those turned
 * away. Runs in the request's thread, before its handler.
 */
public final class ProxyHeaderReader {
    private ProxyHeaderReader() {
    }

    /** Reads the PROXY header within its deadline; null (counted and logged) if the peer or the header is not acceptable. */
    public static ProxyInfo read(Connection request, ProxyAdmission proxyAdmission) {
        SocketAddress peer = request.clientAddress();
        if (!proxyAdmission.admits(peer)) {
            return null;
        }
        long deadline = System.nanoTime() + proxyAdmission.headerDeadline().toNanos();
        Duration previousTimeout = request.readTimeout();
        try {
            ProxyHeader header = ProxyAdmission.PARSER.read(new DeadlineInput(request, deadline));
            request.setReadTimeout(previousTimeout);
            return proxyAdmission.admitted(peer, header);
        } catch (IOException e) {
            proxyAdmission.rejected(peer, e);
            return null;
        }
    }

    /** The connection's input, with each read's timeout cut to what is left before the deadline. */
    private static final class DeadlineInput extends InputStream {
        private final Connection connection;
        private final long deadlineNanos;

        DeadlineInput(Connection connection, long deadlineNanos) {
            this.connection = connection;
            this.deadlineNanos = deadlineNanos;
        }

        private void cutTimeout() throws SocketTimeoutException {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw new SocketTimeoutException("PROXY header deadline passed");
            }
            connection.setReadTimeout(Duration.ofNanos(Math.max(remaining, 1_000_000)));
        }

        @Override
        public int read() throws IOException {
            cutTimeout();
            return connection.in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            cutTimeout();
            return connection.in().read(b, off, len);
        }
    }
}
