package dev.socketserver.async;

import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.RateLimitedLog;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Accepts on the first loop and deals connections to the loops in turn. It is interested in
 * accepts unless the connection cap is reached or a failed accept is backing off.
 *
 * <p>One per stream server, made on the first loop when the server starts. Its code runs on that
 * loop, except {@link #connectionClosed()} and {@link #capChanged()}, which any thread may call
 * and which hand the work to the loop.
 */
final class Acceptor implements EventLoop.LoopChannel {
    private static final System.Logger LOG = System.getLogger(Loggers.ASYNC);
    private static final System.Logger ACCEPT_LOG = System.getLogger(Loggers.ACCEPT);
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private static final long FIRST_ACCEPT_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MAX_ACCEPT_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Takes one waiting connection off the listening socket: null if none waits. */
    interface Listener {
        ConnectionSocket accept() throws IOException;
    }

    /** How the acceptor takes a connection from the listener: a seam for tests that inject accept errors. */
    interface Accepting {
        ConnectionSocket accept(Listener listener) throws IOException;
    }

    private final BoundSocket socket;
    private final ServerContext context;
    private final EventLoop loop;
    private final EventLoop[] loops;
    private final ServerSocketChannel listener;
    private final Supplier<? extends Protocol> protocols;
    private final RateLimitedLog acceptErrorLog = new RateLimitedLog(ACCEPT_LOG, Duration.ofSeconds(1));
    private LoopKey key;
    private int nextLoop;
    private long backoffNanos;          // 0 while accepts succeed
    private boolean backingOff;
    // volatile: a connection closing on another loop reads it to decide whether to wake the acceptor
    private volatile boolean atCap;

    private Acceptor(BoundSocket socket, ServerContext context, EventLoop[] loops, Supplier<? extends Protocol> protocols) {
        this.socket = socket;
        this.context = context;
        this.loop = loops[0];
        this.loops = loops;
        this.listener = socket.listener();
        this.protocols = protocols;
    }

    /** Registers the listener of {@code socket} with the first of {@code loops} and accepts from then on. Runs on that loop. */
    static void listen(BoundSocket socket, ServerContext context, EventLoop[] loops, Supplier<? extends Protocol> protocols) {
        try {
            Acceptor a = new Acceptor(socket, context, loops, protocols);
            a.key = socket.registerListener(a.loop, a);
            context.listening(a);
            a.updateInterest();   // a cap may have been set before
        } catch (IOException e) {
            ACCEPT_LOG.log(Level.ERROR, "cannot accept on " + socket.uri(), e);
        }
    }

    @Override
    public void ready(int readyOps) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            if (capReached()) {
                pauseAtCap();
                return;
            }
            ConnectionSocket accepted;
            try {
                accepted = socket.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (accepted == null) {
                return;
            }
            backoffNanos = 0;
            context.openConnections.incrementAndGet();
            context.counters.accepted.increment();
            context.counters.requests.increment();
            EventLoop target = loops[nextLoop];
            nextLoop = (nextLoop + 1) % loops.length;
            try {
                StreamConnection connection = new StreamConnection(context, target, accepted, protocols);
                if (target == loop) {
                    openHere(connection);
                } else {
                    target.execute(connection);
                }
            } catch (IOException | RuntimeException e) {
                context.openConnections.decrementAndGet();
                context.counters.closed.increment();
                ACCEPT_LOG.log(Level.DEBUG, () -> "dropping a new connection on " + socket.uri() + ": " + e);
                try {
                    accepted.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
    }

    /** Opens a connection dealt to this loop: a failure of its protocol closes that connection, not the listener. */
    private void openHere(StreamConnection connection) {
        try {
            connection.open();
        } catch (Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;   // fatal to the server: see EventLoop
            }
            LOG.log(Level.ERROR, "unexpected failure in " + connection, e);
            connection.abort(e);
        }
    }

    private boolean capReached() {
        int max = context.maxConnections();
        return max > 0 && context.openConnections.get() >= max;
    }

    /** Stops accepting at the cap. The flag is set before the count is read again, and a closing connection lowers the count before it reads the flag: one of them sees the other. */
    private void pauseAtCap() {
        atCap = true;
        if (capReached()) {
            updateInterest();
        } else {
            atCap = false;
        }
    }

    /** Accepts again if neither the cap nor a backoff stands in the way. Runs on the acceptor's loop. */
    private void updateInterest() {
        if (atCap && !capReached()) {
            atCap = false;
        }
        socket.listenerInterest(key, atCap || backingOff ? 0 : SelectionKey.OP_ACCEPT);
    }

    /** Too many open files and the like: log at most once a second, and stop accepting for a growing moment instead of spinning. */
    private void acceptFailed(IOException e) {
        if (!listener.isOpen()) {
            return;
        }
        context.counters.acceptErrors.increment();
        backoffNanos = backoffNanos == 0 ? FIRST_ACCEPT_BACKOFF_NANOS : Math.min(backoffNanos * 2, MAX_ACCEPT_BACKOFF_NANOS);
        long backoffMillis = backoffNanos / 1_000_000;
        acceptErrorLog.log(Level.WARNING, () -> "accept on " + socket.uri() + " failed, retrying in " + backoffMillis + " ms: " + e);
        backingOff = true;
        updateInterest();
        loop.schedule(Duration.ofNanos(backoffNanos), () -> {
            backingOff = false;
            updateInterest();
        });
    }

    /** The cap changed: look again, on the acceptor's loop. Any thread. */
    void capChanged() {
        loop.execute(this::updateInterest);
    }

    /** A connection closed: if accepting paused at the cap, look again. Any thread. */
    void connectionClosed() {
        if (atCap) {
            loop.execute(this::updateInterest);
        }
    }

    @Override
    public void abort(Throwable cause) {
        socket.closeListener();
    }
}
