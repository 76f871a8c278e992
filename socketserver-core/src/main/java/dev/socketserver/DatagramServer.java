package dev.socketserver;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * A server that receives datagrams: the common part of {@link UdpServer} and
 * {@link UnixDatagramServer}. Each request is one {@link Datagram}; replies leave through the server's own socket.
 *
 * <p>A datagram longer than {@link #maxPacketSize()} loses its tail, as in Python; unlike Python
 * the loss is visible in {@link Datagram#truncated()} and counted in {@link #truncatedDatagrams()}.
 *
 * <p>In the models with a thread per request, at most {@value #DEFAULT_MAX_IN_FLIGHT} datagrams
 * are handled at once unless {@link ServerOptions#maxConnections()} says otherwise: while that many
 * handlers run, the server stops receiving, and further datagrams wait in the socket's receive
 * buffer, whose overflow the kernel drops, as the network may. A flood of datagrams to slow
 * handlers so costs a bounded number of threads and copies, not the heap.
 */
public abstract sealed class DatagramServer extends BaseServer<Datagram> permits UdpServer, UnixDatagramServer {
    /** Datagrams handled at once when the options set no {@code maxConnections}. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

    private volatile int maxPacketSize;

    DatagramServer(Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory, ThreadModel concurrency, int defaultMaxPacketSize) {
        super(handlerFactory, concurrency);
        this.maxPacketSize = defaultMaxPacketSize;
    }

    @Override
    void applyOptions(ServerOptions options) throws IOException {
        super.applyOptions(options);
        if (options.maxConnections() == 0) {
            setMaxConnections(DEFAULT_MAX_IN_FLIGHT);
        }
    }

    /** The largest datagram this kind of server can receive. */
    abstract int packetSizeLimit();

    /**
     * Sets the largest datagram received whole; longer ones are truncated to this size. The
     * default is 8192 bytes for UDP, as in Python, and 64 KiB for Unix datagrams. May be changed
     * while serving.
     *
     * @throws IllegalArgumentException if {@code bytes} is below 1 or above what the transport carries
     */
    public final void setMaxPacketSize(int bytes) {
        if (bytes < 1 || bytes > packetSizeLimit()) {
            throw new IllegalArgumentException("max packet size must be between 1 and " + packetSizeLimit() + ", got " + bytes);
        }
        this.maxPacketSize = bytes;
    }

    /** The largest datagram received whole. */
    public final int maxPacketSize() {
        return maxPacketSize;
    }

    /** How many datagrams were truncated since the server started. */
    public final long truncatedDatagrams() {
        return counters.truncatedDatagrams.sum();
    }

    final void countTruncated() {
        counters.truncatedDatagrams.increment();
    }

    /** A datagram needs nothing around its handler. */
    @Override
    final RequestStages<Datagram> stages() {
        return RequestStages.none();
    }

    @Override
    final SocketAddress clientAddress(Datagram request) {
        return request.sender();
    }

    @Override
    final void abortRequest(Datagram request) {
        // a datagram holds no connection; its handler ends by itself
    }
}
