package dev.socketserver.internal;

import dev.socketserver.Connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Connection} over a {@link StreamSocket}, TCP or Unix stream: a JDK {@link SocketChannel}
 * ({@link #accepted}), or a descriptor that waits through the library's own poller
 * ({@link PolledListener}). What a connection does above the socket (counting, the activity the
 * idle timeout and a drain look at, a drain's quiet end) is here, once for both.
 */
public final class ChannelConnection implements Connection {
    private final StreamSocket socket;
    private final ServerCounters counters;
    private final SocketAddress clientAddress;
    private final SocketAddress localAddress;
    private final SocketInput in;
    private final OutputStream out;
    private volatile Duration readTimeout = Duration.ZERO;
    private final long acceptedNanos = System.nanoTime();
    // volatile: written by the request's thread, read by the server's timeout watcher
    private volatile long lastActivityNanos = acceptedNanos;
    // the quiet point of a drain; volatile: written by the request's thread, read by the draining thread, and back
    private volatile boolean answered = true;        // the handler wrote since it last read, or has read nothing
    private volatile boolean awaitingInput;          // the handler waits in a read, with nothing buffered above it
    private volatile boolean endAtEveryQuietPoint;   // a drain's final window: a read that finds nothing ends the input
    private volatile boolean endedWhenQuiet;         // counted once
    private final AtomicReference<Runnable> drainAction = new AtomicReference<>();
    private volatile boolean drainStarted;

    private ChannelConnection(StreamSocket socket, SocketAddress localAddress, SocketAddress clientAddress,
                              ServerCounters counters) throws IOException {
        this.socket = socket;
        this.counters = counters;
        this.localAddress = localAddress;
        this.clientAddress = clientAddress;
        // replies go out at once: Nagle's algorithm and the client's delayed ACK cost 40 ms a round trip on a write-write-read exchange
        socket.setNoDelay(true);
        this.in = new SocketInput(new CountingInput());
        this.out = new SocketOutput();
    }

    /** Wraps an accepted channel; closes it if that fails. */
    public static ChannelConnection accepted(SocketChannel channel, ServerCounters counters) throws IOException {
        try {
            channel.configureBlocking(true);
            SocketAddress local = channel.getLocalAddress();
            return new ChannelConnection(new JdkStreamSocket(channel, local instanceof UnixDomainSocketAddress), local,
                    channel.getRemoteAddress(), counters);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Wraps a socket of the library's own poller; closes it if that fails. */
    static ChannelConnection over(PolledSocket socket, SocketAddress local, SocketAddress remote, ServerCounters counters) throws IOException {
        try {
            return new ChannelConnection(socket, local, remote, counters);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** When the connection was accepted ({@link System#nanoTime()}). */
    public long acceptedNanos() {
        return acceptedNanos;
    }

    /**
     * A drain's look at this connection (see {@link DrainPlan}): ends its input if it is quiet (the
     * handler waits for input, none has arrived, and it has written since it last read, or has
     * read nothing) and no byte has moved for long enough, or at once in the drain's final window, from
     * when on its next quiet point ends it too. The handler's read then returns end of stream, and
     * it finishes as it would if the client had closed.
     */
    public void drainLook(DrainPlan plan, long nowNanos) {
        if (plan.inFinalWindow(nowNanos)) {
            endAtEveryQuietPoint = true;
        }
        if (awaitingInput && plan.endsQuiet(lastActivityNanos, nowNanos)) {
            endIfQuiet();
        }
    }

    /** The server began to drain: runs the handler's {@link #onDrain} action, if any. In the draining thread. */
    public void drainStarted() {
        drainStarted = true;
        runDrainAction();
    }

    @Override
    public void onDrain(Runnable action) {
        drainAction.set(Objects.requireNonNull(action, "action"));
        if (drainStarted) {
            runDrainAction();
        }
    }

    private void runDrainAction() {
        Runnable action = drainAction.getAndSet(null);
        if (action == null) {
            return;
        }
        try {
            action.run();
        } catch (RuntimeException e) {
            System.getLogger(Loggers.REQUEST).log(System.Logger.Level.WARNING,
                    "the drain action of the connection from " + Addresses.format(clientAddress) + " threw", e);
        }
    }

    /** Ends the input if the connection is quiet; returns whether it did. */
    private boolean endIfQuiet() {
        if (!answered) {
            return false;
        }
        try {
            if (in.rawAvailable() > 0) {
                return false;   // the client has sent more: a request is under way
            }
            if (!endedWhenQuiet) {
                endedWhenQuiet = true;
                counters.drainQuietCloses.increment();
            }
            socket.shutdownInput();   // wakes a blocked read, which then returns end of stream
        } catch (IOException e) {
            // closed meanwhile: the read reports it
        }
        return true;
    }

    /** When a byte was last read or written ({@link System#nanoTime()}). */
    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    @Override
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    @Override
    public SocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        Duration t = timeout == null ? Duration.ZERO : timeout;
        if (t.isNegative()) {
            throw new IllegalArgumentException("read timeout must not be negative, got " + timeout);
        }
        readTimeout = t;
        socket.setReadTimeout(t);
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        socket.setNoDelay(on);
    }

    @Override
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "Connection[" + Addresses.format(clientAddress) + " -> " + Addresses.format(localAddress) + "]";
    }

    /** Every write hands all of its bytes to the kernel before it returns. */
    private final class SocketOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            socket.write(b, off, len);
            counters.bytesOut.add(len);
            lastActivityNanos = System.nanoTime();
            answered = true;
        }

        /** Does not close the connection. */
        @Override
        public void close() {
        }
    }

    /** The socket's input, counted. */
    private final class CountingInput extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        /** Called only when everything buffered above has been consumed (see {@link SocketInput}). */
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            awaitingInput = true;
            try {
                if (endAtEveryQuietPoint && endIfQuiet()) {
                    return -1;
                }
                int n = socket.read(b, off, len);
                if (n > 0) {
                    counters.bytesIn.add(n);
                    lastActivityNanos = System.nanoTime();
                    answered = false;
                }
                return n;
            } finally {
                awaitingInput = false;
            }
        }

        @Override
        public int available() throws IOException {
            return socket.available();
        }
    }
}
