package dev.socketserver.junit;

import dev.socketserver.Connection;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.DatagramHandler;
import dev.socketserver.ProxyInfo;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import javax.net.ssl.SSLSession;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Wraps the handler or protocol a {@link TestServer} serves so that each connection or datagram is
 * recorded in a {@link Recorder}, then handed on unchanged.
 */
final class Recording {
    /**
     * The event loop's own framed protocol: it leaves unread frames in its buffer for the loop to
     * hand back when reading resumes, which the loop does only for that class, so it is served
     * unwrapped (and unrecorded) rather than lose those frames.
     */
    private static final String FRAMED_PROTOCOL = "dev.socketserver.async.FramedProtocol";

    private Recording() {
    }

    static ConnectionHandler of(ConnectionHandler handler, Recorder recorder) {
        return connection -> {
            RecordedRequest request = recorder.open(connection.clientAddress());
            RecordingConnection recording = new RecordingConnection(connection, request);
            try {
                handler.handle(recording);
            } finally {
                recording.recordWhatIsWaiting();
                request.end();
            }
        };
    }

    static DatagramHandler of(DatagramHandler handler, Recorder recorder) {
        return datagram -> {
            RecordedRequest request = recorder.open(datagram.sender());
            byte[] data = datagram.data();
            request.append(data, 0, data.length);
            try {
                handler.handle(datagram);
            } finally {
                request.end();
            }
        };
    }

    static Supplier<Protocol> of(Supplier<? extends Protocol> factory, Recorder recorder) {
        return () -> {
            Protocol protocol = factory.get();
            return protocol.getClass().getName().equals(FRAMED_PROTOCOL) ? protocol : new RecordingProtocol(protocol, recorder);
        };
    }

    static DatagramProtocol of(DatagramProtocol protocol, Recorder recorder) {
        return new DatagramProtocol() {
            @Override
            public void connectionMade(DatagramTransport transport) {
                protocol.connectionMade(transport);
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                RecordedRequest request = recorder.open(sender);
                request.append(data);
                try {
                    protocol.datagramReceived(data, sender);
                } finally {
                    request.end();
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                protocol.connectionLost(cause);
            }
        };
    }

    /** A protocol that records what arrives before handing it on. */
    private static final class RecordingProtocol implements Protocol {
        private final Protocol protocol;
        private final Recorder recorder;
        private RecordedRequest request;   // set in connectionMade; every callback runs on the connection's loop

        RecordingProtocol(Protocol protocol, Recorder recorder) {
            this.protocol = protocol;
            this.recorder = recorder;
        }

        @Override
        public void connectionMade(Transport transport) {
            request = recorder.open(transport.clientAddress());
            protocol.connectionMade(transport);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            request.append(data);
            protocol.dataReceived(data);
        }

        @Override
        public boolean eofReceived() {
            return protocol.eofReceived();
        }

        @Override
        public void connectionLost(Throwable cause) {
            try {
                protocol.connectionLost(cause);
            } finally {
                if (request != null) {
                    request.end();
                }
            }
        }

        @Override
        public void pauseWriting() {
            protocol.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            protocol.resumeWriting();
        }

        @Override
        public void drainStarted() {
            protocol.drainStarted();
        }
    }

    /** A connection whose input copies every byte read into the request's record. */
    private static final class RecordingConnection implements Connection {
        private final Connection connection;
        private final RecordedRequest request;
        private final InputStream in;

        RecordingConnection(Connection connection, RecordedRequest request) {
            this.connection = connection;
            this.request = request;
            this.in = new FilterInputStream(connection.in()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        request.append(new byte[] {(byte) b}, 0, 1);
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int n = super.read(buffer, offset, length);
                    if (n > 0) {
                        request.append(buffer, offset, n);
                    }
                    return n;
                }

                @Override
                public long skip(long n) throws IOException {
                    byte[] skipped = new byte[(int) Math.min(n, 8192)];
                    int read = read(skipped, 0, skipped.length);
                    return Math.max(read, 0);
                }

                @Override
                public boolean markSupported() {
                    return false;
                }
            };
        }

        /** Records what arrived and was not read, without waiting for more. */
        void recordWhatIsWaiting() {
            try {
                byte[] buffer = new byte[8192];
                int waiting;
                while (connection.isOpen() && (waiting = connection.in().available()) > 0) {
                    int n = connection.in().read(buffer, 0, Math.min(waiting, buffer.length));
                    if (n <= 0) {
                        return;
                    }
                    request.append(buffer, 0, n);
                }
            } catch (IOException closed) {
                // nothing more to record
            }
        }

        @Override
        public InputStream in() {
            return in;
        }

        @Override
        public OutputStream out() {
            return connection.out();
        }

        @Override
        public SocketAddress clientAddress() {
            return connection.clientAddress();
        }

        @Override
        public SocketAddress localAddress() {
            return connection.localAddress();
        }

        @Override
        public void setReadTimeout(Duration timeout) {
            connection.setReadTimeout(timeout);
        }

        @Override
        public Duration readTimeout() {
            return connection.readTimeout();
        }

        @Override
        public void setNoDelay(boolean on) throws IOException {
            connection.setNoDelay(on);
        }

        @Override
        public void shutdownOutput() throws IOException {
            connection.shutdownOutput();
        }

        @Override
        public Optional<SSLSession> tlsSession() {
            return connection.tlsSession();
        }

        @Override
        public Optional<String> tlsApplicationProtocol() {
            return connection.tlsApplicationProtocol();
        }

        @Override
        public Optional<ProxyInfo> proxyInfo() {
            return connection.proxyInfo();
        }

        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }

        @Override
        public void onDrain(Runnable action) {
            connection.onDrain(action);
        }

        @Override
        public void close() {
            connection.close();
        }

        @Override
        public String toString() {
            return connection.toString();
        }
    }
}
