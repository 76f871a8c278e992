package dev.socketserver.internal;

import dev.socketserver.internal.linux.SocketDescriptors;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accepts a stream server's connections as descriptors of its own ({@code accept4} on the
 * listening channel's descriptor), for handlers that block on virtual threads, and has them wait
 * through one {@link SocketPoller}. Linux only, and only where the JVM grants this module native
 * access ({@code --enable-native-access}), so that it never makes the JDK print a warning;
 * {@link #open} says when it cannot be had, and the server then accepts JDK channels as before.
 *
 * <p>The system property {@code socketserver.poller=jdk} turns it off: every connection is then a
 * JDK channel that waits through the JDK's pollers.
 */
public final class PolledListener {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);

    private final int listenerFd;
    private final SocketPoller poller;
    private final ReentrantLock lock = new ReentrantLock();   // the listener's descriptor is not closed under an accept
    private boolean closed;                                    // guarded by lock

    private PolledListener(int listenerFd, SocketPoller poller) {
        this.listenerFd = listenerFd;
        this.poller = poller;
    }

    /**
     * A listener over the channel's descriptor, or {@code null} where there is none to have: not
     * Linux, turned off by the property, no native access, or a descriptor that cannot be told
     * apart from another (the reason is logged at {@code DEBUG}).
     */
    public static PolledListener open(ServerSocketChannel channel) {
        int fd = ownDescriptor(channel, "connections wait through the JDK's pollers");
        if (fd < 0) {
            return null;
        }
        try {
            return new PolledListener(fd, SocketPoller.start("socketserver-poller"));
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "connections wait through the JDK's pollers: " + e);
            return null;
        }
    }

    /**
     * The listening channel's descriptor, where the library may wait for its sockets itself: on
     * Linux, not turned off ({@code socketserver.poller=jdk}), with native access granted (else the
     * JDK would print a warning on the first native call), and a descriptor to be found. Else -1,
     * the reason logged at {@code DEBUG} after {@code fallback}, which says what serves instead.
     */
    public static int ownDescriptor(ServerSocketChannel channel, String fallback) {
        if (!System.getProperty("os.name", "").equals("Linux") || "jdk".equals(System.getProperty("socketserver.poller"))) {
            return -1;
        }
        if (!PolledListener.class.getModule().isNativeAccessEnabled()) {
            LOG.log(System.Logger.Level.DEBUG, fallback + ": the JVM was not given --enable-native-access");
            return -1;
        }
        try {
            return SocketDescriptors.fdOf(channel);
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> fallback + ": " + e);
            return -1;
        }
    }

    /**
     * Takes one pending connection.
     *
     * @return the connection, or {@code null} if none is pending
     * @throws IOException with the errno's name, such as {@code EMFILE} when out of descriptors
     */
    public ChannelConnection accept(ServerCounters counters) throws IOException {
        SocketDescriptors.Accepted accepted;
        lock.lock();
        try {
            if (closed) {
                throw new ClosedChannelException();
            }
            accepted = SocketDescriptors.acceptNonBlocking(listenerFd);
        } finally {
            lock.unlock();
        }
        if (accepted == null) {
            return null;
        }
        PolledSocket socket;
        try {
            socket = poller.register(accepted.fd(), accepted.local() instanceof InetSocketAddress);
        } catch (IOException | RuntimeException e) {
            SocketDescriptors.close(accepted.fd());
            throw e;
        }
        return ChannelConnection.over(socket, accepted.local(), accepted.remote(), counters);
    }

    /**
     * Stops accepting, before the server closes the listening channel; the poller serves the
     * connections still open, then stops too.
     */
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        poller.release();
    }
}
