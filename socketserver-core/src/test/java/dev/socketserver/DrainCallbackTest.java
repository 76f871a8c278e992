package dev.socketserver;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.FrameProtocol;
import dev.socketserver.async.Framer;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Handlers and protocols are told when a drain begins ({@link Connection#onDrain},
 * {@link Protocol#drainStarted()}, {@link FrameProtocol#drainStarted()}), so a long-lived one says
 * goodbye instead of polling {@link Server#isDraining()}: a chat-like server that never answers on
 * its own writes {@code bye} and closes, long before its drain's minute is over.
 */
@Timeout(30)
class DrainCallbackTest {
    private static final Duration LONG_DRAIN = Duration.ofMinutes(1);

    /** Says hello, then reads lines and answers nothing, until the drain: then says bye and closes. */
    private static void chat(Connection conn) throws IOException {
        conn.onDrain(() -> {
            try {
                conn.out().write("bye\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                // the client went away: nothing to say goodbye to
            }
            conn.close();
        });
        conn.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        while (conn.readLine(100) != null) {
            // a chat's clients talk to each other, not to the server
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aBlockingHandlerSaysGoodbyeWhenTheDrainBegins(boolean tls) throws Exception {
        ServerOptions options = tls ? ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).build() : ServerOptions.defaults();
        try (var server = new TcpServer(TestServers.loopback(), DrainCallbackTest::chat, Concurrency.virtualThreads(), options)) {
            server.start();
            try (Socket client = connect(server.serverAddress(), tls)) {
                var lines = reader(client);
                assertThat(lines.readLine()).isEqualTo("hello");
                client.getOutputStream().write("talking\n".getBytes(StandardCharsets.US_ASCII));   // not a quiet point: unanswered
                CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(LONG_DRAIN));
                assertThat(lines.readLine()).isEqualTo("bye");
                assertThat(lines.readLine()).as("closed by the handler's drain action").isNull();
                assertThat(drained.get(20, TimeUnit.SECONDS)).as("the drain ends with the connection, not after its minute").isTrue();
            }
        }
    }

    @Test
    void anActionRegisteredAfterTheDrainBeganRunsAtOnceInTheHandler() throws Exception {
        var registered = new CountDownLatch(1);
        var ranIn = new AtomicReference<Thread>();
        var handlerThread = new AtomicReference<Thread>();
        var mayRegister = new CountDownLatch(1);
        try (var server = new TcpServer(TestServers.loopback(), conn -> {
            conn.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            try {
                mayRegister.await();
            } catch (InterruptedException e) {
                return;
            }
            handlerThread.set(Thread.currentThread());
            conn.onDrain(() -> ranIn.set(Thread.currentThread()));
            registered.countDown();
        }, Concurrency.virtualThreads())) {
            server.start();
            try (Socket client = connect(server.serverAddress(), false)) {
                assertThat(reader(client).readLine()).isEqualTo("hello");
                CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(LONG_DRAIN));
                TestServers.await(Duration.ofSeconds(10), "the drain began", server::isDraining);
                TestServers.await(Duration.ofSeconds(10), "the listener closed", () -> {
                    try (Socket ignored = connect(server.serverAddress(), false)) {
                        return false;
                    } catch (Exception refused) {
                        return true;
                    }
                });
                mayRegister.countDown();
                assertThat(registered.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(ranIn.get()).as("run at once, in the thread that registered it").isSameAs(handlerThread.get());
                assertThat(drained.get(20, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aDrainActionThatThrowsIsLoggedAndTheDrainGoesOn() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), conn -> {
            conn.onDrain(() -> {
                throw new IllegalStateException("goodbye failed");
            });
            conn.out().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            while (conn.readLine(100) != null) {
                conn.out().write("ok\n".getBytes(StandardCharsets.US_ASCII));
            }
        }, Concurrency.virtualThreads()); var log = new LogCapture()) {
            server.start();
            try (Socket client = connect(server.serverAddress(), false)) {
                var lines = reader(client);
                assertThat(lines.readLine()).isEqualTo("hello");
                assertThat(server.shutdown(Duration.ofSeconds(10))).as("the quiet connection still ends at its quiet point").isTrue();
                assertThat(lines.readLine()).isNull();
            }
            assertThat(log.entries()).anySatisfy(entry -> assertThat(entry.message()).contains("drain action"));
        }
    }

    /** The event loop's chat: hello on connect, silence to whatever arrives, bye at the drain. */
    static final class Chat implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            transport.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public void drainStarted() {
            transport.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.US_ASCII)));
            transport.close();
        }
    }

    /** {@link Chat} as a frame protocol: silence to every line. */
    static final class FramedChat implements FrameProtocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
            transport.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public void frameReceived(ByteBuffer frame) {
        }

        @Override
        public void drainStarted() {
            transport.write(ByteBuffer.wrap("bye\n".getBytes(StandardCharsets.US_ASCII)));
            transport.close();
        }
    }

    @ParameterizedTest(name = "framed={0}")
    @ValueSource(booleans = {false, true})
    void anEventLoopProtocolSaysGoodbyeWhenTheDrainBegins(boolean framed) throws Exception {
        var protocols = framed ? FrameProtocol.framedBy(Framer.lines(100), FramedChat::new) : (java.util.function.Supplier<Protocol>) Chat::new;
        try (var server = AsyncServer.tcp(TestServers.loopback(), protocols)) {
            server.start();
            try (Socket client = connect(server.serverAddress(), false)) {
                var lines = reader(client);
                assertThat(lines.readLine()).isEqualTo("hello");
                client.getOutputStream().write("talking\n".getBytes(StandardCharsets.US_ASCII));
                CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> server.shutdown(LONG_DRAIN));
                assertThat(lines.readLine()).isEqualTo("bye");
                assertThat(lines.readLine()).isNull();
                assertThat(drained.get(20, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void aProtocolWhoseDrainCallbackThrowsIsClosedAndCounted() throws Exception {
        try (var server = AsyncServer.tcp(TestServers.loopback(), () -> new Protocol() {
            @Override
            public void drainStarted() {
                throw new IllegalStateException("goodbye failed");
            }
        })) {
            server.start();
            try (Socket client = connect(server.serverAddress(), false)) {
                client.getOutputStream().write("unanswered\n".getBytes(StandardCharsets.US_ASCII));   // not a quiet point
                TestServers.await(Duration.ofSeconds(10), "the connection is open", () -> server.activeRequests() == 1);
                assertThat(server.shutdown(LONG_DRAIN)).isTrue();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat(server.stats().handlerErrors()).isEqualTo(1);
            }
        }
    }

    private static Socket connect(java.net.SocketAddress serverAddress, boolean tls) throws Exception {
        var address = (InetSocketAddress) serverAddress;
        Socket socket;
        if (tls) {
            var ssl = (SSLSocket) TestCertificates.clientContext(false).getSocketFactory().createSocket(address.getAddress(), address.getPort());
            ssl.startHandshake();
            socket = ssl;
        } else {
            socket = new Socket(address.getAddress(), address.getPort());
        }
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static BufferedReader reader(Socket client) throws IOException {
        return new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    }
}
