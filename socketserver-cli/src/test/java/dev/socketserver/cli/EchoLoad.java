package dev.socketserver.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Echo clients that each send a request, read the whole reply, check its bytes and repeat, for as
 * long as the load runs. A connection the server closes before any byte of a reply (a close at a
 * quiet point: everything the server read was answered) is counted as a retry: the client
 * reconnects and sends the same request again, and that retry must succeed. A reply cut short,
 * a reply with other bytes, a connect that fails and a retry that fails are each counted as
 * failures, with the first one kept for the message.
 */
final class EchoLoad implements AutoCloseable {
    /** What the load saw. */
    record Counts(long requests, long retries, long connectFailures, long truncated, long corrupted, long failedRetries, String firstFailure) {
        long failures() {
            return connectFailures + truncated + corrupted + failedRetries;
        }
    }

    /**
     * Each client's pause between a reply and its next request: 50 clients then send about 10,000
     * requests a second, and leave the CPU that a reload's new JVMs need to start (on two cores,
     * clients that never pause slow each start down by seconds).
     */
    private static final long THINK_TIME_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final InetSocketAddress server;
    private final List<Thread> clients = new ArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong corrupted = new AtomicLong();
    private final AtomicLong failedRetries = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();
    private volatile boolean running = true;

    private EchoLoad(InetSocketAddress server) {
        this.server = server;
    }

    /** Starts {@code connections} clients, each on a platform thread of its own. */
    static EchoLoad start(InetSocketAddress server, int connections) {
        var load = new EchoLoad(server);
        for (int i = 0; i < connections; i++) {
            int client = i;
            load.clients.add(Thread.ofPlatform().daemon().name("echo-load-" + i).start(() -> load.run(client)));
        }
        return load;
    }

    /** How many requests have been answered so far. */
    long requests() {
        return requests.get();
    }

    /** Stops the clients, waits for them, and returns the counts. */
    Counts stop() throws InterruptedException {
        running = false;
        for (Thread client : clients) {
            client.join(CliProcess.PATIENCE.toMillis());
        }
        return new Counts(requests.get(), retries.get(), connectFailures.get(), truncated.get(), corrupted.get(), failedRetries.get(),
                firstFailure.get());
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private void run(int client) {
        SocketChannel channel = connect();
        long sequence = 0;
        boolean retrying = false;
        ByteBuffer reply = ByteBuffer.allocate(256);
        while (running && channel != null) {
            byte[] request = ("client " + client + " request " + sequence + " " + "x".repeat(client % 37) + "\n").getBytes(StandardCharsets.US_ASCII);
            int received = 0;
            try {
                channel.write(ByteBuffer.wrap(request));
                reply.clear().limit(request.length);
                while (reply.hasRemaining()) {
                    if (channel.read(reply) < 0) {
                        break;
                    }
                    received = reply.position();
                }
            } catch (IOException e) {
                // reset: judged by what arrived, below
            }
            received = reply.position();
            if (received == request.length) {
                if (!java.util.Arrays.equals(reply.array(), 0, received, request, 0, received)) {
                    fail(corrupted, "client " + client + " got other bytes: " + new String(reply.array(), 0, received, StandardCharsets.US_ASCII));
                    return;
                }
                requests.incrementAndGet();
                sequence++;
                retrying = false;
                LockSupport.parkNanos(THINK_TIME_NANOS);   // the load's shape, not a wait for a condition
                continue;
            }
            close(channel);
            if (received > 0) {
                fail(truncated, "client " + client + " got " + received + " of " + request.length + " bytes, then the connection ended");
                return;
            }
            if (retrying) {
                fail(failedRetries, "client " + client + ": its retry of request " + sequence + " was closed too");
                return;
            }
            retries.incrementAndGet();   // closed at a quiet point: send the same request again on a new connection
            retrying = true;
            channel = connect();
        }
        close(channel);
    }

    private SocketChannel connect() {
        try {
            return SocketChannel.open(server);
        } catch (IOException e) {
            fail(connectFailures, "connect to " + server + " failed: " + e);
            return null;
        }
    }

    private void fail(AtomicLong counter, String what) {
        counter.incrementAndGet();
        firstFailure.compareAndSet(null, what);
    }

    private static void close(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to release
            }
        }
    }
}
