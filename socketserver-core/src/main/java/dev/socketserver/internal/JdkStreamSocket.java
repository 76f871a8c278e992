package dev.socketserver.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link StreamSocket} over a blocking JDK {@link SocketChannel}, TCP or Unix stream.
 *
 * <p>TCP reads go through the channel's socket adaptor, whose reads honour {@code SO_TIMEOUT}. The
 * JDK gives Unix-stream channels no adaptor, so a timed read there is guarded by a timer that shuts
 * the input down when the timeout passes.
 */
final class JdkStreamSocket implements StreamSocket {
    private final SocketChannel channel;
    private final boolean unix;
    private final InputStream input;
    private volatile Duration readTimeout = Duration.ZERO;

    JdkStreamSocket(SocketChannel channel, boolean unix) throws IOException {
        this.channel = channel;
        this.unix = unix;
        this.input = unix ? new TimedUnixInput() : channel.socket().getInputStream();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return input.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        return input.available();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        readTimeout = timeout;
        if (!unix) {
            try {
                long millis = timeout.isZero() ? 0 : Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
                channel.socket().setSoTimeout((int) millis);
            } catch (IOException e) {
                // the connection is closed: the next read reports it
            }
        }
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        if (!unix) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, on);
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        channel.shutdownInput();
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
