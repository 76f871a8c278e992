package dev.socketserver.async;

import java.io.IOException;
import java.util.List;

/**
 * How an {@link EventLoop} waits for its channels and learns which are ready: the JDK's
 * {@link java.nio.channels.Selector} ({@link SelectorReadiness}), or an epoll instance of the
 * library's own through FFM ({@link EpollReadiness}), for a stream server whose connections are
 * descriptors of its own. Everything but {@link #wakeup()} runs on the loop's thread.
 */
abstract sealed class Readiness permits SelectorReadiness, EpollReadiness {

    /** Waits until a channel is ready, at most {@code timeoutMillis} (0: no limit), or until {@link #wakeup()}; returns how many are. */
    abstract int select(long timeoutMillis) throws IOException;

    /** Returns how many channels are ready now, without waiting. */
    abstract int selectNow() throws IOException;

    /** Ends a current or the next {@link #select}; any thread. */
    abstract void wakeup();

    /** Hands each channel the last select found ready to {@link EventLoop#dispatch}, with its ready operations. */
    abstract void dispatch(EventLoop loop);

    /** The channels registered now, their registrations valid. */
    abstract List<EventLoop.LoopChannel> channels();

    /** Releases the selector or the epoll instance; the channels' own sockets are not closed here. */
    abstract void close() throws IOException;
}
