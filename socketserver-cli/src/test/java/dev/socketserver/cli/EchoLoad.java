package dev.socketserver.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Echo load: {@code connections} clients, each on a thread of its own, send a line and read it
 * back, again and again, on one connection, pausing for a think time after each reply. A client
 * whose connection ends between two requests (a server closed it while draining) connects again
 * and sends the same request once more: that is a retry, and it counts as a success only if its
 * reply comes back. Everything else is a failure: a connect that fails, a request that fails on a
 * fresh connection, a reply that does not come within {@link #REPLY_TIMEOUT}, a reply cut short
 * or different from the request. Optionally, half the clients (the odd ones) close their
 * connection and open a new one every so many requests, so that new connections keep arriving
 * while a server stops; the others keep theirs until a drain ends it.
 */
final class EchoLoad implements AutoCloseable {
    static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);
    /** For {@link #start}: every client keeps its connection until a server closes it. */
    static final int KEEP_CONNECTIONS = 0;
    private static final int MAX_REPORTED = 20;

    private final InetSocketAddress target;
    private final long thinkNanos;
    private final int requestsPerConnection;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());   // the first MAX_REPORTED
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final List<Thread> clients = new ArrayList<>();
    private volatile boolean stopping;   // read by every client thread

    private EchoLoad(InetSocketAddress target, Duration thinkTime, int requestsPerConnection) {
        this.target = target;
        this.thinkNanos = thinkTime.toNanos();
        this.requestsPerConnection = requestsPerConnection;
    }

    /**
     * Starts {@code connections} clients of {@code target}.
     *
     * @param thinkTime each client's pause between a reply and its next request
     * @param requestsPerConnection how many requests each odd client sends on a connection before
     *        it opens a new one; {@link #KEEP_CONNECTIONS}: none does
     */
    static EchoLoad start(InetSocketAddress target, int connections, Duration thinkTime, int requestsPerConnection) {
        var load = new EchoLoad(target, thinkTime, requestsPerConnection);
        for (int i = 0; i < connections; i++) {
            int id = i;
            load.clients.add(Thread.ofPlatform().daemon().name("echo-load-" + i).start(() -> load.run(id)));
        }
        return load;
    }

    /** Requests answered so far, retries included once each. */
    long requests() {
        return requests.get();
    }

    /** Requests sent again on a new connection after the old one ended between two requests. */
    long retries() {
        return retries.get();
    }

    /** Requests that failed. */
    long failed() {
        return failed.get();
    }

    /** What went wrong, one line per failed request, for the first few. */
    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    private void fail(String what) {
        if (failed.incrementAndGet() <= MAX_REPORTED) {
            failures.add(what);
        }
    }

    /** The local ports of every connection the clients made: what the servers should see as the client addresses. */
    Set<Integer> clientPorts() {
        return Set.copyOf(clientPorts);
    }

    /** Waits until {@code more} requests beyond those answered now have been answered. */
    void awaitMoreRequests(long more) {
        long goal = requests() + more;
        Clients.awaitTrue(goal + " requests answered (" + requests() + " so far; " + failed() + " failed, such as " + failures() + ")",
                () -> requests() >= goal);
    }

    /** Stops the clients after their current request, closes their connections and waits for them to end. */
    void stop() {
        stopping = true;
        for (Thread client : clients) {
            try {
                assertThat(client.join(REPLY_TIMEOUT.plus(CliProcess.PATIENCE))).as(client.getName() + " ends").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();   // the test is being stopped; the clients end on their own
                return;
            }
        }
    }

    /** {@link #stop()}, if the test did not. */
    @Override
    public void close() {
        stop();
    }

    private void run(int id) {
        Line connection = null;
        try {
            for (long n = 0; !stopping; n++) {
                String request = "client " + id + " request " + n + " " + "x".repeat((int) (n % 64)) + "\n";
                if (connection != null && requestsPerConnection != KEEP_CONNECTIONS && id % 2 == 1 && n % requestsPerConnection == 0) {
                    connection.close();
                    connection = null;
                }
                boolean fresh = connection == null;
                try {
                    if (fresh) {
                        connection = connect();
                    }
                    String reply = connection.exchange(request);
                    if (reply == null && !fresh) {
                        connection.close();
                        retries.incrementAndGet();
                        connection = connect();
                        reply = connection.exchange(request);
                    }
                    if (reply == null) {
                        fail("client " + id + ": the connection ended before the reply to request " + n + " on a fresh connection");
                        connection.close();
                        connection = null;
                    } else if (!reply.equals(request)) {
                        fail("client " + id + ": request " + n + " got " + reply.strip());
                    } else {
                        requests.incrementAndGet();
                        LockSupport.parkNanos(thinkNanos);   // the load's shape, not a wait for a condition
                    }
                } catch (IOException e) {
                    fail("client " + id + ": request " + n + ": " + e);
                    if (connection != null) {
                        connection.close();
                    }
                    connection = null;
                }
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    private Line connect() throws IOException {
        var socket = new Socket();
        try {
            socket.connect(target, (int) REPLY_TIMEOUT.toMillis());
            socket.setSoTimeout((int) REPLY_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        clientPorts.add(socket.getLocalPort());
        return new Line(socket, new BufferedInputStream(socket.getInputStream()));   // one request at a time: nothing read ahead is lost
    }

    /** One client connection, a line at a time. */
    private record Line(Socket socket, InputStream in) {
        /**
         * Sends {@code request} and returns the line that comes back; null if the connection
         * ended (or was reset) before any of it.
         *
         * @throws IOException if no reply came in time, or the reply was cut short
         */
        String exchange(String request) throws IOException {
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (IOException closed) {
                return null;
            }
            var reply = new ByteArrayOutputStream();
            try {
                for (int b = in.read(); b >= 0; b = in.read()) {
                    reply.write(b);
                    if (b == '\n') {
                        return reply.toString(StandardCharsets.UTF_8);
                    }
                }
            } catch (SocketTimeoutException e) {
                throw new IOException("no reply within " + REPLY_TIMEOUT, e);
            } catch (IOException reset) {
                if (reply.size() > 0) {
                    throw new IOException("the reply was cut after " + reply.size() + " bytes", reset);
                }
                return null;
            }
            if (reply.size() > 0) {
                throw new IOException("the reply was cut after " + reply.size() + " bytes");
            }
            return null;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a client socket; nothing left to do with it
            }
        }
    }
}
