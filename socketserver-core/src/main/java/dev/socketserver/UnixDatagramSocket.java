package dev.socketserver;

import dev.socketserver.internal.linux.UnixDatagramEndpoint;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * A Unix-domain datagram socket for clients (and tests): bind it to a path, to a name the kernel
 * picks ({@link #autobind()}), or not at all; send datagrams; receive with a timeout. The JDK has
 * no such socket; this one is built, like {@link UnixDatagramServer}, on libc through the Foreign
 * Function and Memory API.
 *
 * {@snippet :
 * try (var client = UnixDatagramSocket.autobind()) {
 *     client.send("ping".getBytes(UTF_8), UnixAddress.of(Path.of("/run/echo.sock")));
 *     Datagram reply = client.receive(Duration.ofSeconds(1));
 * }
 * }
 *
 * <p>Sends are safe from any thread; one thread at a time receives. {@link #close()} from another
 * thread ends a waiting {@link #receive} with {@link java.nio.channels.ClosedChannelException}.
 * A server can answer only a client that is bound, by path or autobind: an unbound client's
 * datagrams carry no return address.
 */
public final class UnixDatagramSocket implements Closeable {
    /** The largest datagram {@link #receive(Duration)} keeps whole. */
    public static final int DEFAULT_RECEIVE_SIZE = 64 * 1024;

    private final UnixDatagramEndpoint endpoint;

    private UnixDatagramSocket(UnixDatagramEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** A socket bound to {@code address}; a path's file is removed again by {@link #close()}. */
    public static UnixDatagramSocket bind(UnixAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        UnixDatagramEndpoint endpoint = UnixDatagramEndpoint.open();
        try {
            endpoint.bind(address, null);
            return new UnixDatagramSocket(endpoint);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    /** A socket bound to a fresh abstract name chosen by the kernel, so that replies can reach it. */
    public static UnixDatagramSocket autobind() throws IOException {
        UnixDatagramEndpoint endpoint = UnixDatagramEndpoint.open();
        try {
            endpoint.autobind();
            return new UnixDatagramSocket(endpoint);
        } catch (IOException | RuntimeException e) {
            endpoint.close();
            throw e;
        }
    }

    /** A socket with no address: it can send, but nobody can reply to it. */
    public static UnixDatagramSocket unbound() throws IOException {
        return new UnixDatagramSocket(UnixDatagramEndpoint.open());
    }

    /** The bound address, or {@code null} for an unbound socket. */
    public UnixAddress localAddress() {
        return endpoint.localAddress();
    }

    /** Sends {@code data} to {@code target} as one datagram. */
    public void send(byte[] data, UnixAddress target) throws IOException {
        send(ByteBuffer.wrap(Objects.requireNonNull(data, "data")), target);
    }

    /** Sends the remaining bytes of {@code data} to {@code target} as one datagram. */
    public void send(ByteBuffer data, UnixAddress target) throws IOException {
        endpoint.send(Objects.requireNonNull(data, "data"), Objects.requireNonNull(target, "target"));
    }

    /** {@link #receive(Duration, int)} keeping up to {@value #DEFAULT_RECEIVE_SIZE} bytes. */
    public Datagram receive(Duration timeout) throws IOException {
        return receive(timeout, DEFAULT_RECEIVE_SIZE);
    }

    /**
     * Waits up to {@code timeout} for one datagram and returns it; its {@link Datagram#reply}
     * answers the sender from this socket. Bytes past {@code maxSize} are lost, and
     * {@link Datagram#truncated()} says so.
     *
     * @throws SocketTimeoutException if none arrives in time
     */
    public Datagram receive(Duration timeout, int maxSize) throws IOException {
        Objects.requireNonNull(timeout, "timeout");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            UnixDatagramEndpoint.Received received = endpoint.receive(maxSize);
            if (received != null) {
                return new Datagram(received.data(), received.sender(), received.truncated(),
                        (buffer, target) -> endpoint.send(buffer, (UnixAddress) target));
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new SocketTimeoutException("no datagram within " + timeout.toMillis() + " ms on " + endpoint);
            }
            endpoint.awaitReadable(remaining);
        }
    }

    /** Closes the socket and removes a socket file it bound. Idempotent. */
    @Override
    public void close() throws IOException {
        endpoint.close();
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
