package dev.socketserver.async;

import dev.socketserver.internal.Loggers;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One thread with its own selector (a {@link Readiness}), running the callbacks of the connections assigned to it, its
 * tasks and its timers, one at a time. An {@link AsyncServer} owns N of them; a connection stays
 * on one loop for life.
 *
 * <p>Nothing here may block. Blocking work belongs in a virtual thread that comes back to the loop
 * when it is done:
 *
 * {@snippet :
 * Thread.startVirtualThread(() -> {
 *     byte[] answer = lookUp(query);              // blocking is fine here
 *     transport.loop().execute(() -> transport.write(answer));
 * });
 * }
 *
 * <p>{@link #execute} and {@link #schedule} are safe from any thread.
 *
 * <h2>Errors</h2>
 * An exception from a callback, a task or a timer ends only what it belongs to: a connection's
 * callback closes that connection, a task or timer is logged and the loop goes on. So does an
 * {@link Error} other than a {@link VirtualMachineError}. A {@code VirtualMachineError}
 * ({@link OutOfMemoryError}, {@link StackOverflowError}, ...) may have struck anywhere, the loop's
 * own bookkeeping included, and every connection of the loop shares it: it is fatal to the whole
 * server, as is anything else that ends the loop (its selector failing). The server then closes
 * its listening socket at once, closes every connection, stops its loops, and
 * {@link AsyncServer#serveForever()} throws what ended the loop.
 */
public final class EventLoop implements Executor {
    private static final System.Logger LOG = System.getLogger(Loggers.ASYNC);
    private static final VarHandle BYTES_IN;
    private static final VarHandle BYTES_OUT;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES_IN = lookup.findVarHandle(EventLoop.class, "bytesIn", long.class);
            BYTES_OUT = lookup.findVarHandle(EventLoop.class, "bytesOut", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Every read of the loop's connections lands here; one buffer per loop, no allocation per read. */
    static final int READ_BUFFER_SIZE = 64 * 1024;

    private final Readiness readiness;
    private final Thread thread;
    private final Consumer<Throwable> onFailure;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();   // loop thread only
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    /** {@link #readBuffer}'s memory, whole, made once: what a {@link DescriptorSocket} reads into and echoes from without a segment per call. */
    final MemorySegment readSegment = MemorySegment.ofBuffer(readBuffer);
    /** The buffers of one gathering write, filled from a connection's queue and cleared after it: loop thread only. */
    final ByteBuffer[] gather = new ByteBuffer[OutboundBuffer.MAX_GATHER];
    private long timerSequence;                                          // loop thread only
    private long now = System.nanoTime();                                // loop thread only: when the last select returned
    boolean timeoutScanScheduled;                                        // loop thread only: the idle/deadline scan of TimeoutScans
    private ByteBuffer tlsApp;                                           // loop thread only: what TLS connections unwrap into
    private ByteBuffer tlsNet;                                           // loop thread only: what TLS connections wrap into
    // written by the loop thread only, read by AsyncServer.stats() from any thread: opaque, so never torn and
    // soon visible, at the cost of a plain store (a volatile or a LongAdder would cost a locked instruction per read)
    @SuppressWarnings("unused")
    private long bytesIn;
    @SuppressWarnings("unused")
    private long bytesOut;
    // volatile: read by other threads deciding whether to wake the selector, or to stop
    private volatile boolean selecting;
    private volatile boolean stopping;

    /**
     * A loop whose thread, should it end by failing, hands what ended it to {@code onFailure} before
     * closing its channels; {@code ownEpoll}: it waits through an epoll instance of the library's
     * own and serves {@link DescriptorSocket}s, else through a JDK {@code Selector}.
     */
    EventLoop(String name, boolean ownEpoll, Consumer<Throwable> onFailure) throws IOException {
        this.readiness = ownEpoll ? new EpollReadiness() : new SelectorReadiness();
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** This loop's selector, for JDK channels; only on a loop without its own epoll. */
    SelectorReadiness selectorReadiness() {
        if (readiness instanceof SelectorReadiness selector) {
            return selector;
        }
        throw new IllegalStateException(this + " waits through its own epoll instance, not a selector");
    }

    /** This loop's epoll instance, for descriptors; only on a loop that has one. */
    EpollReadiness epollReadiness() {
        if (readiness instanceof EpollReadiness epoll) {
            return epoll;
        }
        throw new IllegalStateException(this + " waits through a selector, not an epoll instance of its own");
    }

    /** Releases the selector of a loop that never started. */
    void closeUnstarted() throws IOException {
        readiness.close();
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inEventLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop, after the callbacks now running. Safe from any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
        if (!inEventLoop() && selecting && wakeUpPending.compareAndSet(false, true)) {
            readiness.wakeup();
        }
    }

    /**
     * Runs {@code task} on this loop once {@code delay} has passed, unless cancelled first. For
     * idle timeouts and protocol timers. Safe from any thread.
     */
    public Timer schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        Timer timer = new Timer(System.nanoTime() + Math.max(0, delay.toNanos()), task);
        if (inEventLoop()) {
            addTimer(timer);
        } else {
            execute(() -> addTimer(timer));
        }
        return timer;
    }

    private void addTimer(Timer timer) {
        timer.sequence = timerSequence++;
        timers.add(timer);
    }

    /** A task scheduled with {@link #schedule}. */
    public static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final Runnable task;
        private long sequence;
        private volatile boolean cancelled;

        private Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        /** Stops the task from running if it has not run yet. Returns whether it was still pending. */
        public boolean cancel() {
            boolean wasPending = !cancelled;
            cancelled = true;
            return wasPending;
        }

        /** Whether {@link #cancel()} was called. */
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public int compareTo(Timer other) {
            int byDeadline = Long.compare(deadline - other.deadline, 0);
            return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
        }
    }

    /** When the loop last woke up ({@link System#nanoTime()}): a clock for activity stamps that costs nothing per read. Loop thread only. */
    long now() {
        return now;
    }

    /** Counts bytes read from a connection of this loop. Loop thread only. */
    void countIn(long bytes) {
        BYTES_IN.setOpaque(this, (long) BYTES_IN.getOpaque(this) + bytes);
    }

    /** Counts bytes written to a connection of this loop. Loop thread only. */
    void countOut(long bytes) {
        BYTES_OUT.setOpaque(this, (long) BYTES_OUT.getOpaque(this) + bytes);
    }

    /** Bytes read so far by this loop's connections; any thread. */
    long bytesIn() {
        return (long) BYTES_IN.getOpaque(this);
    }

    /** Bytes written so far by this loop's connections; any thread. */
    long bytesOut() {
        return (long) BYTES_OUT.getOpaque(this);
    }

    /**
     * The loop's buffer for decrypted bytes, of at least {@code size} bytes: TLS connections hand
     * them to their protocol at once, so one buffer per loop serves them all. Loop thread only.
     */
    ByteBuffer tlsAppBuffer(int size) {
        if (tlsApp == null || tlsApp.capacity() < size) {
            tlsApp = ByteBuffer.allocate(size);
        }
        return tlsApp;
    }

    /** The loop's buffer for encrypted records on their way to a socket, of at least {@code size} bytes. Loop thread only. */
    ByteBuffer tlsNetBuffer(int size) {
        if (tlsNet == null || tlsNet.capacity() < size) {
            tlsNet = ByteBuffer.allocate(size);
        }
        return tlsNet;
    }

    /** The channels registered with this loop now. Loop thread only. */
    List<LoopChannel> channels() {
        return readiness.channels();
    }

    /** Asks the loop to end after the current round; its channels are closed by {@link AsyncServer} first. */
    void stop() {
        stopping = true;
        readiness.wakeup();
    }

    /** Waits for the loop thread to end. */
    boolean awaitTermination(long timeoutNanos) throws InterruptedException {
        if (inEventLoop()) {
            return false;
        }
        thread.join(Duration.ofNanos(Math.max(1, timeoutNanos)));
        return !thread.isAlive();
    }

    private void run() {
        try {
            while (!stopping) {
                long timeoutMillis = nextTimerMillis();
                selecting = true;
                int ready;
                if (!tasks.isEmpty() || timeoutMillis == 0) {
                    ready = readiness.selectNow();
                } else {
                    ready = readiness.select(timeoutMillis < 0 ? 0 : timeoutMillis);
                }
                selecting = false;
                now = System.nanoTime();
                wakeUpPending.set(false);
                if (ready > 0) {
                    readiness.dispatch(this);
                }
                runTasks();
                runDueTimers();
            }
        } catch (Throwable e) {
            // an IOException or ClosedSelectorException from the selector, or a VirtualMachineError:
            // the loop cannot go on, and a server with a dead loop must not look alive
            try {
                onFailure.accept(e);
            } catch (Throwable failedAgain) {
                // out of memory again, say: the channels are closed all the same
            }
        } finally {
            closeRemainingChannels();
        }
    }

    /** Milliseconds until the next timer: 0 if one is due, -1 if there is none. */
    private long nextTimerMillis() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        Timer next = timers.peek();
        if (next == null) {
            return -1;
        }
        long nanos = next.deadline - System.nanoTime();
        return nanos <= 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }

    /** Hands {@code readyOps} ({@code SelectionKey}'s bits) to a ready channel; see the class comment for what a failure ends. */
    void dispatch(LoopChannel channel, int readyOps) {
        try {
            channel.ready(readyOps);
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError || !channel.isConnection()) {
                throw e;   // fatal: see the class comment
            }
            LOG.log(Level.ERROR, "unexpected failure in " + channel, e);
            channel.abort(e);
        }
    }

    private void runTasks() {
        // only the tasks queued so far: a task that queues another does not starve the selector
        for (int i = tasks.size(); i > 0; i--) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            runSafely(task);
        }
    }

    private void runDueTimers() {
        long now = System.nanoTime();
        while (!timers.isEmpty() && timers.peek().deadline - now <= 0) {
            Timer timer = timers.poll();
            if (!timer.cancelled) {
                timer.cancelled = true;
                runSafely(timer.task);
            }
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError) {
                throw e;   // fatal: see the class comment
            }
            LOG.log(Level.WARNING, "task on event loop " + thread.getName() + " failed", e);
            if (task instanceof LoopChannel channel && channel.isConnection()) {
                channel.abort(e);   // a connection that failed to open
            }
        }
    }

    private void closeRemainingChannels() {
        for (LoopChannel channel : readiness.channels()) {
            channel.abort(null);
        }
        // a channel handed to this loop but not opened yet (a new connection) is a task: close it too
        for (Runnable task : tasks) {
            if (task instanceof LoopChannel channel) {
                channel.abort(null);
            }
        }
        tasks.clear();
        timers.clear();
        try {
            readiness.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing selector failed", e);
        }
    }

    @Override
    public String toString() {
        return "EventLoop[" + thread.getName() + "]";
    }

    /** What the loop drives: something registered with its selector. */
    interface LoopChannel {
        /** The channel is ready for {@code readyOps} ({@code SelectionKey}'s bits) of what it waits for. Runs on the loop. */
        void ready(int readyOps);

        /** Closes at once; {@code cause} is null when the loop itself is ending. Runs on the loop. */
        void abort(Throwable cause);

        /**
         * Whether this is one client's connection, which a failure closes alone; not the server's
         * own socket (the listener, a datagram socket), whose failure ends the server.
         */
        default boolean isConnection() {
            return false;
        }
    }
}
