package dev.socketserver.async;

import dev.socketserver.internal.DrainPlan;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The wait of {@link AsyncServer#shutdown(java.time.Duration)}: closes the listener on the first
 * loop, then has every loop end its quiet connections (see {@link DrainPlan}) until none is open,
 * the server fails, or the deadline passes, when those left are counted as cut. Runs in the thread
 * that called {@code shutdown}; the looks at the connections run on their loops.
 */
final class Drain {
    private Drain() {
    }

    /**
     * Drains the server's running {@code loops}; only a stream server has connections to wait for.
     *
     * @return whether every connection ended before the deadline
     */
    static boolean await(BoundSocket socket, ServerContext context, EventLoops running, DrainPlan plan) throws InterruptedException {
        EventLoop[] loops = running.all();
        EventLoop first = loops[0];
        CountDownLatch listenerClosed = new CountDownLatch(1);
        first.execute(() -> {
            socket.closeListener();
            listenerClosed.countDown();
        });
        listenerClosed.await(1, TimeUnit.SECONDS);
        boolean drained = true;
        if (socket.hasConnections()) {
            for (EventLoop loop : loops) {
                loop.execute(() -> ConnectionExpiry.drainStarted(loop));
            }
            while (context.openConnections.get() > 0 && !running.hasFailed()) {
                long now = System.nanoTime();
                for (EventLoop loop : loops) {
                    loop.execute(() -> ConnectionExpiry.drainLook(loop, plan));
                }
                if (now - plan.deadlineNanos() >= 0) {
                    context.counters.drainCuts.add(context.openConnections.get());
                    drained = false;
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(plan.nextLookNanos(now) - now);
            }
        }
        return drained;
    }
}
