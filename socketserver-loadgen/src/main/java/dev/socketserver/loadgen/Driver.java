package dev.socketserver.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One load generator thread: a selector and its share of the connections. The {@link LoadGenerator}
 * that made it moves it through its phases; everything else in this class runs in the driver's own
 * thread. Subclasses speak one transport.
 *
 * <p>Shared with the coordinating thread: the phase (volatile, set by the coordinator, followed by
 * a wake-up), the latency recorder (HdrHistogram's {@link SingleWriterRecorder}: this thread
 * writes, the coordinator takes interval histograms), and the counters (atomics).
 */
abstract sealed class Driver implements Runnable permits StreamDriver, DatagramDriver {
    enum Phase { CONNECTING, IDLE, RUNNING, STOPPED }

    static final int BUFFER_SIZE = 64 * 1024;

    final LoadOptions options;
    final SocketAddress address;
    final int[] ids;
    final Selector selector;
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    final ByteBuffer writeBuffer;
    final ByteBuffer pattern;
    final LongConsumer latencies;
    private final Consumer<SelectionKey> readyAction = this::ready;   // one object, not one per select

    private final SingleWriterRecorder recorder = new SingleWriterRecorder(3);
    private final AtomicInteger connected;
    private final AtomicLong errors;
    private final AtomicLong lost = new AtomicLong();
    private final Queue<String> errorSamples;
    private final CountDownLatch settled;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Phase phase = Phase.CONNECTING;
    private volatile long idleNanos;   // busy polling: time spent finding nothing to do
    private Histogram recycled;   // coordinator only
    private int unsettled;        // connections neither open nor given up on
    private boolean started;

    Driver(LoadOptions options, SocketAddress address, int[] ids, MessagePattern messages, Shared shared) throws IOException {
        this.options = options;
        this.address = address;
        this.ids = ids;
        this.selector = Selector.open();
        this.writeBuffer = ByteBuffer.allocateDirect(Math.max(BUFFER_SIZE, options.size()));
        this.pattern = messages.view();
        this.latencies = recorder::recordValue;
        this.connected = shared.connected();
        this.errors = shared.errors();
        this.errorSamples = shared.errorSamples();
        this.settled = shared.settled();
        this.unsettled = ids.length;
    }

    /** The counters and queues every driver of one run shares with the coordinator. */
    record Shared(AtomicInteger connected, AtomicLong errors, Queue<String> errorSamples, CountDownLatch settled) {
    }

    // ---- called by the coordinator -------------------------------------------------------------

    final void moveTo(Phase next) {
        phase = next;
        selector.wakeup();
    }

    /** The latencies recorded since the last call (nanoseconds). */
    final Histogram takeInterval() {
        recycled = recorder.getIntervalHistogram(recycled);
        return recycled;
    }

    /** With {@link LoadOptions#busyPoll()}: the time this driver has spent polling and finding nothing, in nanoseconds. */
    final long idleNanos() {
        return idleNanos;
    }

    final long lost() {
        return lost.get();
    }

    final boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
        return finished.await(timeout, unit);
    }

    // ---- the driver's thread ---------------------------------------------------------------------

    @Override
    public final void run() {
        try {
            if (unsettled == 0) {
                settled.countDown();
            }
            boolean busyPoll = options.busyPoll();
            while (phase != Phase.STOPPED) {
                long now;
                if (!started) {
                    now = System.nanoTime();
                    Phase current = phase;
                    if (current == Phase.CONNECTING) {
                        connectSome(now);
                    } else {
                        giveUpConnecting();
                        if (current == Phase.RUNNING) {
                            started = true;
                            startTraffic(now);
                            continue;
                        }
                    }
                    selector.select(readyAction, current == Phase.CONNECTING ? 10 : 100);
                    continue;
                }
                if (busyPoll) {
                    long before = System.nanoTime();
                    int ready = selector.selectNow(readyAction);
                    now = System.nanoTime();
                    if (ready == 0) {
                        idleNanos = idleNanos + (now - before);   // only this thread writes
                        Thread.onSpinWait();
                    }
                } else {
                    selector.select(readyAction, 100);
                    now = System.nanoTime();
                }
                tick(now);
            }
        } catch (IOException | RuntimeException e) {
            error("load generator thread failed: " + e);
        } finally {
            closeAll();
            try {
                selector.close();
            } catch (IOException e) {
                // nothing left to release
            }
            finished.countDown();
        }
    }

    final boolean running() {
        return phase == Phase.RUNNING;
    }

    final boolean connecting() {
        return phase == Phase.CONNECTING;
    }

    /** A connection is open and stays so until the run ends. */
    final void opened() {
        connected.incrementAndGet();
        settledOne();
    }

    /** A connection is given up on; it is an error. */
    final void gaveUp(String why) {
        error(why);
        settledOne();
    }

    private void settledOne() {
        if (--unsettled == 0) {
            settled.countDown();
        }
    }

    /** An open connection failed or was closed by the server. */
    final void lostConnection() {
        connected.decrementAndGet();
    }

    final void error(String what) {
        errors.incrementAndGet();
        if (errorSamples.size() < LoadGenerator.ERROR_SAMPLES) {
            errorSamples.add(what);
        }
    }

    final void errors(long count, String first) {
        if (count > 0) {
            errors.addAndGet(count);
            if (first != null && errorSamples.size() < LoadGenerator.ERROR_SAMPLES) {
                errorSamples.add(first);
            }
        }
    }

    final void lostDatagram() {
        lost.incrementAndGet();
    }

    /** Starts or continues connecting, a few connections at a time. */
    abstract void connectSome(long now) throws IOException;

    /** The connect phase is over: closes connections still trying; each is an error. */
    abstract void giveUpConnecting();

    /** Sends the first messages on every open connection. */
    abstract void startTraffic(long now) throws IOException;

    /** A key is ready. */
    abstract void ready(SelectionKey key);

    /** Called after each select while traffic runs. */
    void tick(long now) throws IOException {
    }

    /** Closes every connection. */
    abstract void closeAll();
}
