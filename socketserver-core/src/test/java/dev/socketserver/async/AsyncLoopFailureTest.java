package dev.socketserver.async;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, item 4: a server does not outlive an event loop. A {@link VirtualMachineError} on a
 * loop (here thrown on purpose by a callback or a task, as an {@link OutOfMemoryError} would be
 * thrown by a write that cannot get memory) fails the whole server: the listening socket closes
 * at once (new clients are refused), the other connections close, every loop thread ends, and
 * {@code serveForever()} throws the error; {@code shutdown} returns promptly after it. Any other
 * {@link Error} from a callback closes that connection only, as an exception does.
 */
@Timeout(30)
class AsyncLoopFailureTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private AsyncServer server;
    private Set<Long> threadsBefore;

    @BeforeEach
    void rememberThreads() {
        threadsBefore = loopThreads().stream().map(Thread::threadId).collect(Collectors.toSet());
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Echoes; the connection numbered {@code fatal} (0 = the first) throws {@code error} from dataReceived instead. */
    private static Supplier<Protocol> echoExcept(int fatal, Supplier<? extends Error> error) {
        AtomicInteger made = new AtomicInteger();
        return () -> new Protocol() {
            private final boolean failing = made.getAndIncrement() == fatal;
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (failing) {
                    throw error.get();
                }
                transport.write(data);
            }
        };
    }

    @ParameterizedTest(name = "on loop {0} of 2")
    @ValueSource(ints = {0, 1})   // loop 0 also accepts; connections are dealt to the loops in turn
    void outOfMemoryInACallbackClosesTheListenerAndConnectionsAndServeForeverThrowsIt(int loop) throws Exception {
        server = AsyncServer.tcp(LOOPBACK, echoExcept(loop, () -> new OutOfMemoryError("Java heap space (on purpose)")));
        server.setEventLoops(2);
        CompletableFuture<Void> serving = serveInBackground(server);
        SocketAddress address = server.serverAddress();

        try (Socket first = connect(address); Socket second = connect(address)) {
            assertThat(roundTrip(loop == 0 ? second : first, "still fine")).isEqualTo("still fine");
            Socket failing = loop == 0 ? first : second;
            Socket bystander = loop == 0 ? second : first;
            failing.getOutputStream().write("boom".getBytes(StandardCharsets.US_ASCII));

            Throwable thrown = awaitFailure(serving);
            assertThat(thrown).isInstanceOf(OutOfMemoryError.class).hasMessageContaining("on purpose");
            assertRefused(address);
            assertThat(readUntilClosed(bystander)).as("the other connection is closed").isTrue();
            assertThat(readUntilClosed(failing)).isTrue();
            await("every loop thread ends", () -> newLoopThreads().isEmpty());
        }
        assertShutdownIsPrompt();
    }

    @Test
    void stackOverflowInATaskOnTheLoopFailsTheServer() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                t.loop().execute(() -> {
                    throw new StackOverflowError("on purpose");
                });
            }
        });
        server.setEventLoops(1);
        CompletableFuture<Void> serving = serveInBackground(server);
        SocketAddress address = server.serverAddress();

        try (Socket client = connect(address)) {
            assertThat(awaitFailure(serving)).isInstanceOf(StackOverflowError.class);
            assertRefused(address);
            assertThat(readUntilClosed(client)).isTrue();
            await("every loop thread ends", () -> newLoopThreads().isEmpty());
        }
        assertShutdownIsPrompt();
    }

    @Test
    void serveForeverAfterTheFailureThrowsItAtOnce() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, echoExcept(0, () -> new OutOfMemoryError("on purpose")));
        server.setEventLoops(1);
        server.start();
        try (Socket client = connect(server.serverAddress())) {
            client.getOutputStream().write('x');
            assertThat(readUntilClosed(client)).isTrue();
        }
        assertThatThrownBy(server::serveForever).isInstanceOf(OutOfMemoryError.class);
    }

    @ParameterizedTest(name = "with {0} loop(s)")
    @ValueSource(ints = {1, 2})
    void anotherErrorFromConnectionMadeClosesThatConnectionOnly(int loops) throws Exception {
        AtomicInteger made = new AtomicInteger();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            private final boolean failing = made.getAndIncrement() == 0;
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                if (failing) {
                    throw new AssertionError("on purpose");   // opened inline on the accepting loop
                }
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        });
        server.setEventLoops(loops);
        CompletableFuture<Void> serving = serveInBackground(server);

        try (Socket failing = connect(server.serverAddress())) {
            assertThat(readUntilClosed(failing)).isTrue();
        }
        try (Socket next = connect(server.serverAddress())) {
            assertThat(roundTrip(next, "still serving")).isEqualTo("still serving");
        }
        assertThat(serving).isNotDone();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static CompletableFuture<Void> serveInBackground(AsyncServer server) {
        var outcome = new CompletableFuture<Void>();
        Thread.ofPlatform().daemon().name("test-serve-forever").start(() -> {
            try {
                server.serveForever();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        return outcome;
    }

    private static Throwable awaitFailure(CompletableFuture<Void> serving) throws Exception {
        try {
            serving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("serveForever did not end within " + DEADLINE.toMillis() + " ms");
        }
        throw new AssertionError("serveForever returned normally instead of failing");
    }

    /** The listening socket is closed by the time serveForever throws: a new client is refused. */
    private static void assertRefused(SocketAddress address) {
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.connect(address, 1000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    private void assertShutdownIsPrompt() throws InterruptedException {
        long start = System.nanoTime();
        server.shutdown(Duration.ofSeconds(30));
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    private static Socket connect(SocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout((int) DEADLINE.toMillis());
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes);
        byte[] answer = socket.getInputStream().readNBytes(bytes.length);
        return new String(answer, StandardCharsets.UTF_8);
    }

    /** Reads to the end of the stream; true if the server closed (EOF or reset) within the read timeout. */
    private static boolean readUntilClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever was echoed before the failure
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    private static Set<Thread> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("socketserver-loop-") && t.isAlive())
                .collect(Collectors.toSet());
    }

    private Set<Thread> newLoopThreads() {
        return loopThreads().stream().filter(t -> !threadsBefore.contains(t.threadId())).collect(Collectors.toSet());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not true within " + DEADLINE.toMillis() + " ms: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
