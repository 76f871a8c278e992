package dev.socketserver.async;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.PolledListener;
import dev.socketserver.internal.linux.Handover;
import dev.socketserver.internal.linux.SocketDescriptors;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The socket an {@link AsyncServer} was bound to by {@link AsyncBinding}, of one of four kinds: a
 * listener (TCP, or Unix stream with its socket file), a UDP channel, or a Unix datagram socket
 * with its {@link UnixDatagramFeeder}. Here: its address, how it starts serving on the first loop,
 * and how it closes. {@link #serve} runs in the thread that starts the server and hands the work
 * to the first loop; the closing methods may run in any thread.
 */
final class BoundSocket {
    private static final System.Logger SERVER_LOG = System.getLogger(Loggers.SERVER);

    private final String scheme;
    private final ServerSocketChannel listener;         // stream servers
    private final DatagramChannel datagramChannel;      // UDP servers
    private final UnixDatagramFeeder unixgram;          // Unix datagram servers
    private final DatagramProtocol datagramProtocol;    // UDP servers
    private final Path socketFile;                      // Unix stream servers
    private final SocketAddress address;
    private final AtomicBoolean listenerOpen = new AtomicBoolean(true);
    private volatile Acceptor.Accepting accepting = Acceptor.Listener::accept;
    // With the loops' own epoll: the listener's descriptor, accepted from with accept4, and the lock that keeps
    // it from being closed under an accept4 (which could then take a connection of a newer socket of that number)
    private final ReentrantLock listenerLock = new ReentrantLock();
    private int listenerFd = -1;                      // set before serving; -1 on JDK selectors
    private EpollReadiness listenerReadiness;         // guarded by listenerLock: where the descriptor is registered

    private BoundSocket(String scheme, ServerSocketChannel listener, DatagramChannel datagramChannel, UnixDatagramFeeder unixgram,
                        DatagramProtocol datagramProtocol, Path socketFile, SocketAddress address) {
        this.scheme = scheme;
        this.listener = listener;
        this.datagramChannel = datagramChannel;
        this.unixgram = unixgram;
        this.datagramProtocol = datagramProtocol;
        this.socketFile = socketFile;
        this.address = address;
    }

    /** A bound listener: {@code tcp}, or {@code unix} with its {@code socketFile} (else null). */
    static BoundSocket listener(String scheme, ServerSocketChannel listener, Path socketFile, SocketAddress address) {
        return new BoundSocket(scheme, listener, null, null, null, socketFile, address);
    }

    /** A bound UDP channel, served by {@code protocol}. */
    static BoundSocket udp(DatagramChannel channel, DatagramProtocol protocol, SocketAddress address) {
        return new BoundSocket("udp", null, channel, null, protocol, null, address);
    }

    /** A bound Unix datagram socket, received from by {@code feeder}. */
    static BoundSocket unixgram(UnixDatagramFeeder feeder, SocketAddress address) {
        return new BoundSocket("unixgram", null, null, feeder, null, null, address);
    }

    /** The bound address; after binding port 0, the port the system chose. */
    SocketAddress address() {
        return address;
    }

    /** The address as the command line writes it: {@code tcp://127.0.0.1:9000}, {@code udp://…}, {@code unix:/path}. */
    String uri() {
        return unixgram != null ? "unixgram:" + address : Addresses.uri(scheme, address);
    }

    /** Whether the socket's clients come as connections (a stream server), which a drain waits for. */
    boolean hasConnections() {
        return datagramChannel == null && unixgram == null;
    }

    /** Starts serving on the first of the started {@code loops}: accepting, or receiving datagrams. */
    void serve(ServerContext context, EventLoop[] loops, Supplier<? extends Protocol> protocols) {
        EventLoop first = loops[0];
        if (listener != null) {
            first.execute(() -> Acceptor.listen(this, context, loops, protocols));
        } else if (unixgram != null) {
            first.execute(() -> unixgram.start(first, context.counters));
        } else {
            first.execute(() -> new DatagramEndpoint(first, datagramChannel, address, datagramProtocol, context.counters,
                    context.options().writeBufferLimit()).open());
        }
    }

    /** The listener of a stream server; null for a datagram one. */
    ServerSocketChannel listener() {
        return listener;
    }

    /**
     * Whether this stream server's loops can wait through epoll instances of the library's own and
     * its connections be descriptors ({@link DescriptorSocket}): as for the blocking servers'
     * poller ({@link PolledListener#ownDescriptor}), on Linux with native access granted, unless
     * {@code socketserver.poller=jdk}. If so, the listener is accepted from by its descriptor from
     * now on. Before serving.
     */
    boolean useOwnEpoll() {
        if (listener == null) {
            return false;
        }
        listenerFd = PolledListener.ownDescriptor(listener, "the event loops wait through JDK selectors");
        return listenerFd >= 0;
    }

    /** The listener's descriptor when the loops wait through their own epoll, else -1. */
    int listenerDescriptor() {
        return listenerFd;
    }

    /** Registers the listener with the accepting {@code loop} for accepts (non-blocking from now on). Accepting loop. */
    LoopKey registerListener(EventLoop loop, EventLoop.LoopChannel acceptor) throws IOException {
        listener.configureBlocking(false);
        if (listenerFd < 0) {
            return loop.selectorReadiness().register(listener, SelectionKey.OP_ACCEPT, acceptor);
        }
        listenerLock.lock();
        try {
            if (!listenerOpen.get()) {
                throw new ClosedChannelException();
            }
            listenerReadiness = loop.epollReadiness();
            return listenerReadiness.register(listenerFd, SelectionKey.OP_ACCEPT, acceptor);
        } finally {
            listenerLock.unlock();
        }
    }

    /**
     * Sets what the listener's registration waits for, unless the listener is closed: then its
     * descriptor's number may be another socket's already, and it was taken out of the epoll set
     * when it closed. Accepting loop.
     */
    void listenerInterest(LoopKey key, int ops) {
        listenerLock.lock();
        try {
            if (listenerOpen.get() && key.isValid()) {
                key.interestOps(ops);
            }
        } finally {
            listenerLock.unlock();
        }
    }

    /** Takes a waiting connection from the listener (null if none waits), as {@link #acceptWith} says. Accepting loop. */
    ConnectionSocket accept() throws IOException {
        return accepting.accept(listenerFd < 0 ? this::acceptChannel : this::acceptDescriptor);
    }

    private ConnectionSocket acceptChannel() throws IOException {
        SocketChannel accepted = listener.accept();
        return accepted == null ? null : new ChannelSocket(accepted);
    }

    private ConnectionSocket acceptDescriptor() throws IOException {
        SocketDescriptors.Accepted accepted;
        listenerLock.lock();
        try {
            if (!listenerOpen.get()) {
                throw new ClosedChannelException();
            }
            accepted = SocketDescriptors.acceptNonBlocking(listenerFd);
        } finally {
            listenerLock.unlock();
        }
        return accepted == null ? null : new DescriptorSocket(accepted.fd(), accepted.remote(), accepted.local());
    }

    /** Replaces how connections are taken from the listener; for tests. */
    void acceptWith(Acceptor.Accepting accepting) {
        this.accepting = Objects.requireNonNull(accepting, "accepting");
    }

    /** Stops the Unix datagram receiver, if any; before the loops stop, so connectionLost still runs on one. */
    void closeFeeder() {
        if (unixgram != null) {
            unixgram.close();
        }
    }

    /** Closes the socket of a server whose loops never started (the loops close their channels themselves). */
    void closeUnstarted() {
        closeListener();
        if (datagramChannel != null) {
            try {
                datagramChannel.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
    }

    /** Closes the listener, once, and removes the socket file of a Unix stream server. */
    void closeListener() {
        if (listener == null || !listenerOpen.compareAndSet(true, false)) {
            return;
        }
        listenerLock.lock();
        try {
            if (listenerReadiness != null) {
                // before the close: a successor handed the socket keeps it open, and epoll would go on reporting it
                listenerReadiness.forget(listenerFd);
            }
            listener.close();
        } catch (IOException e) {
            // nothing left to release
        } finally {
            listenerLock.unlock();
        }
        if (socketFile != null && !Handover.handedOver(socketFile)) {   // else a successor serves it
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                SERVER_LOG.log(Level.WARNING, "could not remove socket file " + socketFile + ": " + e);
            }
        }
    }
}
