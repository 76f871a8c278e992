package dev.socketserver.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts the JDK's I/O pollers for virtual threads before a server needs them.
 *
 * <p>The JDK creates them (epoll instances and their wake-up descriptors) the first time a virtual
 * thread blocks on a socket, and if that fails, because a flood of clients has just taken every
 * descriptor, the class that holds them fails to initialize and every blocking read or write of
 * every virtual thread fails from then on, long after the descriptors are back. A server that
 * starts under load can meet exactly that: its first requests and the flood arrive together. So
 * a server that runs requests on virtual threads has one virtual thread block once on a pipe when
 * it is created; the JVM keeps the pollers from then on.
 */
final class VirtualThreadIo {
    private static volatile boolean started;

    private VirtualThreadIo() {
    }

    /** Has a virtual thread block on a pipe until it parks; once per JVM. Best effort: a failure here is met again later. */
    static void start() {
        if (started) {
            return;
        }
        synchronized (VirtualThreadIo.class) {
            if (started) {
                return;
            }
            try {
                Pipe pipe = Pipe.open();
                try {
                    Thread reader = Thread.ofVirtual().name("socketserver-poller-warmup").start(() -> {
                        try {
                            pipe.source().read(ByteBuffer.allocate(1));
                        } catch (IOException e) {
                            // the pipe was closed: nothing more to do
                        }
                    });
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    }
                    pipe.sink().write(ByteBuffer.wrap(new byte[1]));
                    reader.join(TimeUnit.SECONDS.toMillis(1));
                } finally {
                    pipe.sink().close();
                    pipe.source().close();
                }
            } catch (IOException e) {
                return;   // no pipe now; a later server tries again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            started = true;
        }
    }
}
