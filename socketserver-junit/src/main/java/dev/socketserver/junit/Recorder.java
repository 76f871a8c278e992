package dev.socketserver.junit;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The requests a {@link TestServer} has seen since the test began, in order of arrival; used from any thread. */
final class Recorder {
    private final List<RecordedRequest> all = new CopyOnWriteArrayList<>();
    private final BlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
    private final Object arrival = new Object();   // numbers requests in the order they are added

    RecordedRequest open(SocketAddress client) {
        synchronized (arrival) {
            RecordedRequest request = new RecordedRequest(all.size(), client);
            all.add(request);
            untaken.add(request);
            return request;
        }
    }

    List<RecordedRequest> all() {
        return List.copyOf(all);
    }

    /** The requests not ended yet. */
    List<RecordedRequest> open() {
        return all.stream().filter(r -> !r.isEnded()).toList();
    }

    RecordedRequest take(Duration timeout) {
        try {
            RecordedRequest next = untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no request arrived within " + timeout.toMillis() + " ms (" + all.size()
                        + " since the test began, all taken)");
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a request", e);
        }
    }

    /** Forgets what earlier tests saw; requests still open go on being recorded, but are no longer listed. */
    void clear() {
        synchronized (arrival) {
            all.clear();
            untaken.clear();
        }
    }
}
