package dev.socketserver;

import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Shared fixtures for the behaviour tests: a server serving in a background thread, the three
 * transports under test, clients, and waiting for a condition with a deadline.
 */
public final class TestServers {
    /** The bound for anything that should happen "soon". Generous: the machine has two shared cores. */
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private TestServers() {
    }

    /** 127.0.0.1, port 0. */
    static InetSocketAddress loopback() {
        return new InetSocketAddress("127.0.0.1", 0);
    }

    /** Every concurrency model that every server takes (the thread models), with {@code bounded} where it is cheap. */
    static Stream<ThreadModel> allModels() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(2));
    }

    /** The models that run requests in their own threads. */
    static Stream<ThreadModel> threadModels() {
        return Stream.of(Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(3));
    }

    /** Every transport with every model. */
    static Stream<Arguments> transportsAndModels() {
        List<Arguments> all = new ArrayList<>();
        for (Transport t : Transport.values()) {
            allModels().forEach(c -> all.add(Arguments.of(t, c)));
        }
        return all.stream();
    }

    // ---- waiting -----------------------------------------------------------------------------------

    /** Polls {@code condition} until it holds; fails the test if it does not within {@code timeout}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not true within " + timeout.toMillis() + " ms: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** The time since {@code startNanos} (a {@link System#nanoTime()} reading). */
    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /** Joins {@code thread} for up to {@code timeout}; whether it has ended. */
    static boolean join(Thread thread, Duration timeout) {
        try {
            return thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The current thread's id as the worker id the reference handlers write. */
    static String workerId() {
        return Long.toString(Thread.currentThread().threadId());
    }

    // ---- serving in the background --------------------------------------------------------------------

    /** Starts {@code server.serveForever()} with Python's poll interval in a new platform thread. */
    static <S extends BaseServer<?>> Serving<S> serve(S server) {
        return new Serving<>(server, Duration.ofMillis(500));
    }

    /** Starts {@code server.serveForever(pollInterval)} in a new platform thread. */
    static <S extends BaseServer<?>> Serving<S> serve(S server, Duration pollInterval) {
        return new Serving<>(server, pollInterval);
    }

    /**
     * A server whose {@code serveForever} runs in a background thread. {@link #close()} drains and
     * closes the server with a deadline, then joins the thread with a deadline, and fails the test if
     * the loop failed and nobody looked at the failure.
     */
    static final class Serving<S extends BaseServer<?>> implements AutoCloseable {
        private final S server;
        private final Thread thread;
        private final CompletableFuture<Void> outcome = new CompletableFuture<>();
        private volatile boolean failureSeen;

        private Serving(S server, Duration pollInterval) {
            this.server = server;
            this.thread = Thread.ofPlatform().name("test-serving-" + server.getClass().getSimpleName()).start(() -> {
                try {
                    server.serveForever(pollInterval);
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
        }

        S server() {
            return server;
        }

        SocketAddress address() {
            return server.serverAddress();
        }

        Thread thread() {
            return thread;
        }

        /** Whether {@code serveForever} has returned or thrown. */
        boolean ended() {
            return outcome.isDone();
        }

        /** Waits for {@code serveForever} to return normally, failing the test if it does not within {@code timeout}. */
        void awaitNormalEnd(Duration timeout) {
            try {
                outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("serveForever did not return within " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                failureSeen = true;
                throw new AssertionError("serveForever failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            if (!join(thread, timeout)) {
                throw new AssertionError("the serving thread did not end");
            }
        }

        /** Waits for {@code serveForever} to throw, and returns what it threw. */
        Throwable awaitFailure(Duration timeout) {
            try {
                outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("serveForever returned normally instead of failing");
            } catch (ExecutionException e) {
                failureSeen = true;
                return e.getCause();
            } catch (TimeoutException e) {
                throw new AssertionError("serveForever did not end within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            server.shutdown(Duration.ofSeconds(2));
            if (!join(thread, DEADLINE)) {
                throw new AssertionError("the serving thread did not end within " + DEADLINE.toMillis() + " ms of close");
            }
            if (outcome.isCompletedExceptionally() && !failureSeen) {
                throw new AssertionError("serveForever failed", outcome.exceptionNow());
            }
        }
    }

    // ---- transports and clients -------------------------------------------------------------------------

    /** The transports under test. Unix datagram needs FFM and is a later issue. */
    enum Transport {
        TCP, UNIX, UDP;

        /** A server on loopback port 0, or on a socket file in {@code dir}. */
        BaseServer<?> newServer(ReferenceHandlers.Ref ref, ThreadModel concurrency, Path dir) throws IOException {
            return switch (this) {
                case TCP -> new TcpServer(loopback(), ref.stream(), concurrency);
                case UNIX -> new UnixStreamServer(dir.resolve("t.sock"), ref.stream(), concurrency);
                case UDP -> new UdpServer(loopback(), ref.datagram(), concurrency);
            };
        }

        Client connect(SocketAddress server) throws IOException {
            return this == UDP ? new UdpClient(server) : StreamClient.connect(server);
        }

        boolean isStream() {
            return this != UDP;
        }
    }

    /** A client of any transport, with a read timeout on every receive. */
    interface Client extends AutoCloseable {
        void send(String text) throws IOException;

        /** The whole answer: a stream's bytes up to EOF, or one datagram. */
        String receive() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** One request, one answer, on a new client. */
    static String exchange(Transport transport, SocketAddress server, String request) throws IOException {
        try (Client client = transport.connect(server)) {
            client.send(request);
            return client.receive();
        }
    }

    /** An answer and when it arrived, counted from when the requests were sent. */
    record Answer(String text, Duration at) {
    }

    /** Sends {@code request} on every client at once and collects the answers, each with its arrival time. */
    static List<Answer> concurrently(List<? extends Client> clients, String request) throws Exception {
        long start = System.nanoTime();
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Answer>> answers = new ArrayList<>();
            for (Client client : clients) {
                answers.add(executor.submit(() -> {
                    client.send(request);
                    String text = client.receive();
                    return new Answer(text, since(start));
                }));
            }
            List<Answer> result = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                result.add(answer.get(DEADLINE.toMillis() * 2, TimeUnit.MILLISECONDS));
            }
            return result;
        }
    }

    /** Closes each client, keeping the first failure. */
    static void closeAll(List<? extends Client> clients) throws IOException {
        IOException first = null;
        for (Client client : clients) {
            try {
                client.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
