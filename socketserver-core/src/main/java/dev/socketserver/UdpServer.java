package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ChannelReadiness;
import dev.socketserver.internal.OptionChecks;
import dev.socketserver.internal.linux.InheritedSockets;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A UDP server, IPv4 or IPv6: Python's {@code UDPServer}. Each datagram is one request.
 *
 * {@snippet :
 * class Echo extends DatagramRequestHandler {
 *     @Override protected void handle() throws IOException { rfile().transferTo(wfile()); }
 * }
 * new UdpServer(new InetSocketAddress(9000), Echo::new).serveForever();
 * }
 *
 * <p>Datagrams are received by the serving thread, one at a time, into a buffer it reuses; each
 * request gets its own copy of the bytes. Replies are sent from the server's socket, so they come
 * from the address the client wrote to.
 */
public non-sealed class UdpServer extends DatagramServer {
    /** Python's default maximum packet size. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 8192;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;

    private static final long REPLY_TIMEOUT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private final DatagramChannel channel;
    private SocketAddress address;
    private volatile boolean bound;
    private volatile ChannelReadiness readiness;
    private ByteBuffer receiveBuffer;   // used only by the serving thread

    /** A UDP server with class-shaped handlers, on virtual threads. */
    public UdpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory) throws IOException {
        this(address, handlerFactory, Concurrency.virtualThreads());
    }

    /** A UDP server with class-shaped handlers. */
    public UdpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory,
                     ThreadModel concurrency) throws IOException {
        this(address, handlerFactory, concurrency, ServerOptions.defaults());
    }

    /**
     * A UDP server with class-shaped handlers, configured by {@code options}. SO_REUSEADDR stays
     * off on UDP, where it would let another socket bind the same port.
     *
     * @throws IllegalArgumentException if {@code options} hold a setting of connections (TLS, the
     *     PROXY protocol, timeouts) or socket-file bits, which a UDP server cannot honour
     * @throws BindException if the address is in use; the message names the address
     */
    public UdpServer(InetSocketAddress address, Supplier<? extends BaseRequestHandler<Datagram>> handlerFactory,
                     ThreadModel concurrency, ServerOptions options) throws IOException {
        super(handlerFactory, concurrency, DEFAULT_MAX_PACKET_SIZE);
        this.address = Objects.requireNonNull(address, "address");
        this.channel = DatagramChannel.open(InheritedSockets.family(address, address.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6));
        configureAndBind(options);
    }

    /** A UDP server with a function as handler, on virtual threads. */
    public UdpServer(InetSocketAddress address, DatagramHandler handler) throws IOException {
        this(address, FunctionHandlers.of(handler), Concurrency.virtualThreads());
    }

    /** A UDP server with a function as handler. */
    public UdpServer(InetSocketAddress address, DatagramHandler handler, ThreadModel concurrency) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency);
    }

    /** A UDP server with a function as handler, configured by {@code options}; see {@link ServerOptions}. */
    public UdpServer(InetSocketAddress address, DatagramHandler handler, ThreadModel concurrency, ServerOptions options) throws IOException {
        this(address, FunctionHandlers.of(handler), concurrency, options);
    }

    @Override
    void applyOptions(ServerOptions options) throws IOException {
        OptionChecks.requireNoConnectionSettings(options, "a UDP server");
        OptionChecks.requireNoSocketFile(options, "a UDP server");
        super.applyOptions(options);
    }

    /** The server's channel, for options this class does not offer. */
    public final DatagramChannel channel() {
        return channel;
    }

    private void requireUnbound(String option) {
        if (bound) {
            throw new IllegalStateException(option + ": the socket is bound already (the constructor binds it)");
        }
    }

    @Override
    int packetSizeLimit() {
        return MAX_UDP_PAYLOAD;
    }

    @Override
    public void serverBind() throws IOException {
        requireUnbound("serverBind()");
        Optional<SocketAddress> inherited = InheritedSockets.adopt(channel, address);
        if (inherited.isPresent()) {   // a socket the service manager passed (see SystemdSocket)
            bound = true;
            address = inherited.get();
            return;
        }
        if (options().reusePort()) {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        Addresses.bind("udp", address, () -> channel.bind(address));
        bound = true;
        address = channel.getLocalAddress();
    }

    /** Registers the socket for reads. There is nothing to listen for, as in Python. */
    @Override
    public void serverActivate() throws IOException {
        if (!bound) {
            throw new IllegalStateException("serverActivate() needs a bound socket: call serverBind() first");
        }
        if (readiness == null) {
            readiness = new ChannelReadiness(channel, SelectionKey.OP_READ);
        }
    }

    @Override
    public final SocketAddress serverAddress() {
        return address;
    }

    /** The address as the command line writes it, such as {@code udp://127.0.0.1:9000}. */
    public final String serverUri() {
        return Addresses.uri("udp", address);
    }

    @Override
    protected Datagram getRequest() throws IOException {
        int max = maxPacketSize();
        if (receiveBuffer == null || receiveBuffer.capacity() != max + 1) {
            receiveBuffer = ByteBuffer.allocate(max + 1);   // one byte more than allowed reveals truncation
        }
        receiveBuffer.clear();
        SocketAddress sender = channel.receive(receiveBuffer);
        if (sender == null) {
            return null;
        }
        int length = receiveBuffer.position();
        boolean truncated = length > max;
        if (truncated) {
            countTruncated();
        }
        byte[] data = Arrays.copyOf(receiveBuffer.array(), Math.min(length, max));
        counters.bytesIn.add(data.length);
        return new Datagram(data, sender, truncated, this::sendReply);
    }

    /**
     * Sends one reply. The channel is non-blocking (the serving thread polls it), so a full send
     * buffer makes {@code send} take nothing: wait a little and retry, as a blocking socket would,
     * rather than drop the reply without a word.
     */
    private void sendReply(ByteBuffer reply, SocketAddress target) throws IOException {
        long deadline = System.nanoTime() + REPLY_TIMEOUT_NANOS;
        long pause = 10_000;
        counters.bytesOut.add(reply.remaining());
        // 0 from send is "no room" only while bytes remain: an empty reply that returns 0 was sent
        while (channel.send(reply, target) == 0 && reply.hasRemaining()) {
            if (System.nanoTime() > deadline) {
                throw new IOException("reply to " + Addresses.format(target) + " not sent: the send buffer stayed full for 5 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(pause);
            pause = Math.min(pause * 2, 10_000_000);
        }
    }

    @Override
    protected void serverClose() throws IOException {
        try {
            ChannelReadiness r = readiness;
            if (r != null) {
                r.close();
            }
        } finally {
            channel.close();
        }
    }

    @Override
    final boolean awaitReady(long timeoutNanos) throws IOException {
        return readiness.await(timeoutNanos);
    }

    @Override
    final void wakeUp() {
        ChannelReadiness r = readiness;
        if (r != null) {
            r.wakeUp();
        }
    }

    @Override
    final boolean isActivated() {
        return readiness != null;
    }
}
