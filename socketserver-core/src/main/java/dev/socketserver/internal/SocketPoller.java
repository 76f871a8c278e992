package dev.socketserver.internal;

import dev.socketserver.internal.linux.Epoll;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for the {@link PolledSocket}s of one server on behalf of the threads blocked in them. Each
 * socket is registered once, edge-triggered, for input and output; an edge wakes the thread
 * waiting for it.
 *
 * <p>The poller is a virtual thread, on the same carriers as the handlers it wakes, so that under
 * load an edge crosses no thread: it polls without blocking, and between polls yields to the
 * handlers. Only when a poll finds nothing does it park, and a platform thread blocked in
 * {@code epoll_wait} on the sockets' epoll instance unparks it when something is ready: the JDK's
 * own design for virtual threads, less its {@code epoll_ctl} before every wait. With only a few
 * sockets open, that waker wakes their handlers itself, and hands over to the poller only when it
 * finds more than one ready: a lone connection's message then costs one thread hand-over, not two.
 *
 * <p>The server holds the poller, and so does every open socket; when the last lets go, both
 * threads end and the epoll instances are closed.
 */
final class SocketPoller {
    private static final int WATCHED = Epoll.IN | Epoll.OUT | Epoll.RDHUP | Epoll.EDGE_TRIGGERED;
    private static final int BATCH = 256;
    private static final int FEW_SOCKETS = 4;   // up to this many open, the waker wakes their handlers itself

    private final Epoll sockets;
    private final Epoll idle;   // holds `sockets`, one-shot: what the platform thread blocks in
    private final Thread poller;
    private final Thread waker;
    private final AtomicInteger holders = new AtomicInteger(1);   // the server, plus each open socket
    private final Object tableLock = new Object();
    private volatile PolledSocket[] byFd = new PolledSocket[256];
    private volatile boolean stopped;

    private SocketPoller(Epoll sockets, Epoll idle, String name) {
        this.sockets = sockets;
        this.idle = idle;
        this.poller = Thread.ofVirtual().name(name).unstarted(this::poll);
        this.waker = Thread.ofPlatform().name(name + "-waker").daemon(true).unstarted(this::wake);
    }

    /** Starts a poller; its threads are named {@code name} and {@code name-waker}. */
    static SocketPoller start(String name) throws IOException {
        Epoll sockets = Epoll.open(false);
        Epoll idle;
        try {
            idle = Epoll.open(true);
            try {
                idle.add(sockets.fd(), Epoll.IN | Epoll.ONESHOT, 0);
            } catch (IOException e) {
                idle.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            sockets.close();
            throw e;
        }
        SocketPoller poller = new SocketPoller(sockets, idle, name);
        poller.poller.start();
        poller.waker.start();
        return poller;
    }

    /**
     * Registers a connected, non-blocking descriptor. On failure the descriptor is left to the caller.
     *
     * @throws ClosedChannelException if the poller has stopped
     */
    PolledSocket register(int fd, boolean tcp) throws IOException {
        int before;
        do {
            before = holders.get();
            if (before == 0) {
                throw new ClosedChannelException();
            }
        } while (!holders.compareAndSet(before, before + 1));
        PolledSocket socket = new PolledSocket(fd, tcp, this);
        synchronized (tableLock) {
            PolledSocket[] table = byFd;
            if (fd >= table.length) {
                table = Arrays.copyOf(table, Math.max(fd + 1, table.length * 2));
            }
            table[fd] = socket;
            byFd = table;
        }
        try {
            sockets.add(fd, WATCHED, fd);
        } catch (IOException | RuntimeException e) {
            forget(socket);
            release();
            throw e;
        }
        return socket;
    }

    /** A socket is closed: it no longer hears from the poller. */
    void deregister(PolledSocket socket) {
        forget(socket);
        release();
    }

    private void forget(PolledSocket socket) {
        synchronized (tableLock) {
            PolledSocket[] table = byFd;
            if (socket.fd() < table.length && table[socket.fd()] == socket) {
                table[socket.fd()] = null;
            }
        }
    }

    /** The server lets go of the poller; it stops once no socket holds it either. */
    void release() {
        if (holders.decrementAndGet() == 0) {
            stopped = true;
            idle.wakeForever();
        }
    }

    private void poll() {
        Epoll.Events events = new Epoll.Events(BATCH);
        try {
            int found = 1;
            while (!stopped) {
                if (found == 0) {
                    idle.modify(sockets.fd(), Epoll.IN | Epoll.ONESHOT, 0);   // re-armed: the waker unparks this thread
                    LockSupport.park(this);
                    if (stopped) {
                        break;
                    }
                } else {
                    Thread.yield();   // let the handlers just woken run before polling again
                }
                found = sockets.poll(events);
                dispatch(events, found);
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(Loggers.SERVER).log(System.Logger.Level.ERROR, "the socket poller failed; closing the connections that wait in it", e);
        } finally {
            closeRemaining();
            stopped = true;
            idle.wakeForever();
            try {
                waker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                idle.close();
            } catch (IOException e) {
                // closed whatever close reports
            } finally {
                try {
                    sockets.close();
                } catch (IOException e) {
                    // likewise
                }
            }
        }
    }

    private void dispatch(Epoll.Events events, int found) {
        PolledSocket[] table = byFd;
        for (int i = 0; i < found; i++) {
            long fd = events.data(i);
            PolledSocket socket = fd >= 0 && fd < table.length ? table[(int) fd] : null;
            if (socket != null) {
                socket.ready(events.events(i));
            }
        }
    }

    /** After a normal stop there are none; after a failure, their threads would otherwise wait for good. */
    private void closeRemaining() {
        for (PolledSocket socket : byFd) {
            if (socket != null) {
                socket.close();
            }
        }
    }

    private void wake() {
        Epoll.Events events = new Epoll.Events(BATCH);
        try {
            while (!stopped) {
                idle.await(-1);
                if (stopped) {
                    break;
                }
                if (holders.get() - 1 > FEW_SOCKETS) {
                    LockSupport.unpark(poller);
                    continue;
                }
                // few sockets, and the poller is parked: wake their handlers from here, which saves
                // scheduling the poller on a carrier for every message; busy, hand over to the poller
                int found = sockets.poll(events);
                dispatch(events, found);
                if (found > 1) {
                    LockSupport.unpark(poller);
                } else {
                    idle.modify(sockets.fd(), Epoll.IN | Epoll.ONESHOT, 0);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger(Loggers.SERVER).log(System.Logger.Level.ERROR, "the socket poller's waker failed; closing the connections that wait in it", e);
            stopped = true;
        } finally {
            LockSupport.unpark(poller);
        }
    }
}
