package dev.socketserver.async;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** {@link Readiness} through the JDK's {@link Selector}: every datagram server's loops, and stream servers' where there is no epoll of our own. */
final class SelectorReadiness extends Readiness {
    private final Selector selector = Selector.open();

    SelectorReadiness() throws IOException {
    }

    /** Registers a channel, made non-blocking, for {@code ops}; events go to {@code owner}. */
    LoopKey register(SelectableChannel channel, int ops, EventLoop.LoopChannel owner) throws IOException {
        channel.configureBlocking(false);
        try {
            return new Key(channel.register(selector, ops, owner));
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
        }
    }

    @Override
    int select(long timeoutMillis) throws IOException {
        return selector.select(timeoutMillis);
    }

    @Override
    int selectNow() throws IOException {
        return selector.selectNow();
    }

    @Override
    void wakeup() {
        selector.wakeup();
    }

    @Override
    void dispatch(EventLoop loop) {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            int ready;
            try {
                ready = key.readyOps();
            } catch (CancelledKeyException e) {
                continue;   // closed by a callback before it in this round
            }
            if (key.attachment() instanceof EventLoop.LoopChannel channel) {
                loop.dispatch(channel, ready);
            }
        }
    }

    @Override
    List<EventLoop.LoopChannel> channels() {
        List<EventLoop.LoopChannel> channels = new ArrayList<>();
        try {
            for (SelectionKey key : selector.keys()) {
                if (key.isValid() && key.attachment() instanceof EventLoop.LoopChannel channel) {
                    channels.add(channel);
                }
            }
        } catch (ClosedSelectorException e) {
            // nothing registered any more
        }
        return channels;
    }

    @Override
    void close() throws IOException {
        selector.close();
    }

    private record Key(SelectionKey key) implements LoopKey {
        @Override
        public int interestOps() {
            return key.interestOps();
        }

        @Override
        public void interestOps(int ops) {
            key.interestOps(ops);
        }

        @Override
        public boolean isValid() {
            return key.isValid();
        }

        @Override
        public void cancel() {
            key.cancel();
        }
    }
}
