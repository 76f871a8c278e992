package dev.socketserver.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;

/**
 * Waits until a server's channel is ready (a connection to accept, a datagram to read), with a
 * timeout, and can be woken at once from another thread. One selector per server.
 */
public final class ChannelReadiness implements Closeable {
    private final Selector selector;

    public ChannelReadiness(SelectableChannel channel, int interestOps) throws IOException {
        channel.configureBlocking(false);
        selector = Selector.open();
        try {
            channel.register(selector, interestOps);
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit) for readiness or a
     * {@link #wakeUp()}. Returns whether the channel is ready.
     */
    public boolean await(long timeoutNanos) throws IOException {
        long millis = timeoutNanos == Long.MAX_VALUE ? 0 : Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
        int ready = selector.select(millis);
        selector.selectedKeys().clear();
        return ready > 0;
    }

    /** Makes a current or the next {@link #await} return at once. */
    public void wakeUp() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
