package dev.socketserver.internal;

import dev.socketserver.Connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Connection} over a blocking {@link SocketChannel}, TCP or Unix stream.
 *
 * <p>TCP reads go through the channel's socket adaptor, whose reads honour {@code SO_TIMEOUT}. The
 * JDK gives Unix-stream channels no adaptor, so a timed read there is guarded by a timer that shuts
 * the input down when the timeout passes.
 */
public final class ChannelConnection implements Connection {
    private final SocketChannel channel;
    private final ServerCounters counters;
    private final boolean unix;
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

    private ChannelConnection(SocketChannel channel, ServerCounters counters) throws IOException {
        this.channel = channel;
        this.counters = counters;
        this.localAddress = channel.getLocalAddress();
        this.unix = localAddress instanceof UnixDomainSocketAddress;
        this.clientAddress = channel.getRemoteAddress();
        if (!unix) {
            // replies go out at once: Nagle's algorithm and the client's delayed ACK cost 40 ms a round trip on a write-write-read exchange
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        this.in = new SocketInput(new CountingInput(unix ? new TimedUnixInput() : channel.socket().getInputStream()));
        this.out = new ChannelOutput();
    }

    /** Wraps an accepted channel; closes it if that fails. */
    public static ChannelConnection accepted(SocketChannel channel, ServerCounters counters) throws IOException {
        try {
            channel.configureBlocking(true);
            return new ChannelConnection(channel, counters);
        } catch (IOException | RuntimeException e) {
            channel.close();
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
            channel.shutdownInput();   // wakes a blocked read, which then returns end of stream
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
        if (!unix) {
            try {
                long millis = t.isZero() ? 0 : Math.max(1, Math.min(Integer.MAX_VALUE, t.toMillis()));
                channel.socket().setSoTimeout((int) millis);
            } catch (IOException e) {
                // the connection is closed: the next read reports it
            }
        }
    }

    @Override
    public Duration readTimeout() {
        return readTimeout;
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        if (!unix) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, on);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    @Override
    public String toString() {
        return "Connection[" + Addresses.format(clientAddress) + " -> " + Addresses.format(localAddress) + "]";
    }

    /** Every write hands all of its bytes to the kernel before it returns. */
    private final class ChannelOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            counters.bytesOut.add(len);
            lastActivityNanos = System.nanoTime();
            answered = true;
        }

        /** Does not close the connection. */
        @Override
        public void close() {
        }
    }

    /** Counts what is read. */
    private final class CountingInput extends InputStream {
        private final InputStream raw;

        CountingInput(InputStream raw) {
            this.raw = raw;
        }

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
                int n = raw.read(b, off, len);
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
            return raw.available();
        }
    }

    /** Unix-stream input with a read timeout that the JDK does not offer there. */
    private final class TimedUnixInput extends InputStream {
        private final InputStream raw = Channels.newInputStream(channel);
        private volatile boolean timedOut;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Duration timeout = readTimeout;
            if (timedOut) {
                throw new SocketTimeoutException("read timed out earlier; the input of this Unix-stream connection is shut");
            }
            if (timeout.isZero()) {
                return raw.read(b, off, len);
            }
            ScheduledFuture<?> guard = Timer.INSTANCE.schedule(() -> {
                timedOut = true;
                try {
                    channel.shutdownInput();
                } catch (IOException e) {
                    // already closed: the read fails by itself
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            try {
                int n = raw.read(b, off, len);
                if (timedOut) {
                    throw new SocketTimeoutException("read timed out after " + timeout.toMillis() + " ms");
                }
                return n;
            } finally {
                guard.cancel(false);
            }
        }

        @Override
        public int available() throws IOException {
            return raw.available();
        }
    }

    /** One daemon thread for read timeouts on Unix streams; it ends after a second without work. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            var executor = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().name("socketserver-read-timeouts").daemon(true).factory());
            executor.setRemoveOnCancelPolicy(true);
            executor.setKeepAliveTime(1, TimeUnit.SECONDS);
            executor.allowCoreThreadTimeOut(true);
            return executor;
        }
    }
}
