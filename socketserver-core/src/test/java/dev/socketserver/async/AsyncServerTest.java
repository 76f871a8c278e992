package dev.socketserver.async;

import dev.socketserver.ServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The event-loop server: echo on every transport, half-close, backpressure, cross-thread writes, failures, timers, drain. */
@Timeout(60)
class AsyncServerTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private AsyncServer server;

    /** Echoes every byte; closes after EOF once the echo is flushed. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    @AfterEach
    void closeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tcpEchoesAndClosesAfterEof() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, Echo::new);
        server.setEventLoops(2);
        server.start();
        for (int i = 0; i < 4; i++) {   // spread over both loops
            assertThat(tcpRoundTrip(server.serverAddress(), "hello " + i)).isEqualTo("hello " + i);
        }
    }

    @Test
    void unixStreamEchoesAndRemovesItsFile() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "async");
        Path path = dir.resolve("echo.sock");
        server = AsyncServer.unix(path, Echo::new);
        server.start();
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            client.write(ByteBuffer.wrap("over unix".getBytes(StandardCharsets.UTF_8)));
            client.shutdownOutput();
            assertThat(new String(readAll(Channels.newInputStream(client)), StandardCharsets.UTF_8)).isEqualTo("over unix");
        }
        server.close();
        assertThat(path).doesNotExist();
        Files.delete(dir);
    }

    @Test
    void udpEchoesEachDatagram() throws Exception {
        server = AsyncServer.udp(LOOPBACK, new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport t) {
                transport = t;
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                transport.send(data, sender);
            }
        });
        server.start();
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(5_000);
            for (int i = 0; i < 3; i++) {
                byte[] payload = ("datagram " + i).getBytes(StandardCharsets.UTF_8);
                client.send(new DatagramPacket(payload, payload.length, server.serverAddress()));
                DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                client.receive(reply);
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("datagram " + i);
            }
        }
    }

    @Test
    void unixDatagramsAreFedToTheLoop() throws Exception {
        var name = dev.socketserver.UnixAddress.ofAbstract("socketserver-async-" + ProcessHandle.current().pid());
        AtomicReference<Boolean> onLoop = new AtomicReference<>();
        server = AsyncServer.unixgram(name, new DatagramProtocol() {
            DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport t) {
                transport = t;
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                onLoop.set(transport.loop().inEventLoop());
                transport.send(data, sender);
            }
        });
        server.start();
        assertThat(server.serverUri()).isEqualTo("unixgram:@" + name.name());
        try (var client = dev.socketserver.UnixDatagramSocket.autobind()) {
            client.send("fed".getBytes(StandardCharsets.UTF_8), name);
            assertThat(new String(client.receive(Duration.ofSeconds(5)).data(), StandardCharsets.UTF_8)).isEqualTo("fed");
        }
        assertThat(onLoop.get()).isTrue();
        server.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("socketserver-unixgram-receiver"));
    }

    @Test
    void aHalfClosedClientStillReadsEverything() throws Exception {
        // keeps the connection open after EOF, then sends a summary and closes
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            Transport transport;
            long received;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                received += data.remaining();
                transport.write(data);
            }

            @Override
            public boolean eofReceived() {
                transport.write(("\nreceived " + received).getBytes(StandardCharsets.UTF_8));
                transport.close();
                return true;
            }
        });
        server.start();
        byte[] payload = new byte[1_000_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        try (Socket client = connect(server.serverAddress())) {
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    client.getOutputStream().write(payload);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] all = readAll(client.getInputStream());
            writer.join(10_000);
            String expectedTail = "\nreceived " + payload.length;
            assertThat(all.length).isEqualTo(payload.length + expectedTail.length());
            assertThat(new String(all, payload.length, expectedTail.length(), StandardCharsets.UTF_8)).isEqualTo(expectedTail);
            for (int i = 0; i < payload.length; i++) {
                if (all[i] != payload[i]) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }

    @Test
    void aPeerThatNeverReadsGetsPauseWritingAndTheHardLimitAbortsIt() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> lost = new AtomicReference<>();
        CountDownLatch closed = new CountDownLatch(1);
        byte[] chunk = new byte[64 * 1024];
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                flood();
            }

            /** Writes until paused; a protocol that honours pauseWriting stops here. */
            void flood() {
                while (!transport.isClosing() && events.stream().filter("pause"::equals).count() < 1) {
                    transport.write(chunk);
                }
            }

            @Override
            public void pauseWriting() {
                events.add("pause");
                // ignore the request on purpose: keep writing past the hard limit
                for (int i = 0; i < 200 && !transport.isClosing(); i++) {
                    transport.write(chunk);
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                lost.set(cause);
                closed.countDown();
            }
        }, ServerOptions.builder().writeBufferWaterMarks(16 * 1024, 64 * 1024).writeBufferLimit(4 * 1024 * 1024).build());
        server.start();
        try (Socket client = connect(server.serverAddress())) {
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(events).containsExactly("pause");
        assertThat(lost.get()).hasMessageContaining("passed the limit of 4194304");
    }

    @Test
    void pauseAndResumeWritingFollowTheWaterMarks() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        AtomicReference<Transport> transport = new AtomicReference<>();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                transport.set(t);
                while (events.isEmpty()) {
                    t.write(new byte[32 * 1024]);
                }
            }

            @Override
            public void pauseWriting() {
                events.add("pause");
            }

            @Override
            public void resumeWriting() {
                events.add("resume " + transport.get().writeBufferSize());
            }
        });
        server.start();
        try (Socket client = connect(server.serverAddress())) {
            assertThat(await(Duration.ofSeconds(5), () -> events.contains("pause"))).isTrue();
            InputStream in = client.getInputStream();
            byte[] sink = new byte[64 * 1024];
            assertThat(await(Duration.ofSeconds(10), () -> {
                try {
                    in.read(sink);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return events.size() == 2;
            })).isTrue();
        }
        assertThat(events.get(0)).isEqualTo("pause");
        assertThat(events.get(1)).startsWith("resume ");
        assertThat(Long.parseLong(events.get(1).substring(7))).isLessThanOrEqualTo(16 * 1024);
    }

    @Test
    void writesFromAnotherThreadArriveInOrder() throws Exception {
        int lines = 10_000;
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                Thread.startVirtualThread(() -> {
                    for (int i = 0; i < lines; i++) {
                        t.write((i + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    t.close();
                });
            }
        });
        server.start();
        try (Socket client = connect(server.serverAddress())) {
            String[] received = new String(readAll(client.getInputStream()), StandardCharsets.UTF_8).split("\n");
            assertThat(received).hasSize(lines);
            for (int i = 0; i < lines; i++) {
                assertThat(received[i]).isEqualTo(Integer.toString(i));
            }
        }
    }

    @Test
    void aCallbackThatThrowsClosesOnlyItsOwnConnection() throws Exception {
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (data.get(0) == '!') {
                    throw new IllegalStateException("bad input");
                }
                transport.write(data);
            }
        });
        server.setEventLoops(1);
        server.start();
        try (Socket good = connect(server.serverAddress()); Socket bad = connect(server.serverAddress())) {
            bad.getOutputStream().write('!');
            assertThat(bad.getInputStream().read()).isEqualTo(-1);
            good.getOutputStream().write("still here".getBytes(StandardCharsets.UTF_8));
            byte[] reply = good.getInputStream().readNBytes(10);
            assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("still here");
        }
        assertThat(tcpRoundTrip(server.serverAddress(), "new client")).isEqualTo("new client");
    }

    @Test
    void timersFireAndCancelledOnesDoNot() throws Exception {
        AtomicReference<EventLoop> loop = new AtomicReference<>();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionMade(Transport t) {
                loop.set(t.loop());
            }
        });
        server.start();
        try (Socket client = connect(server.serverAddress())) {
            assertThat(await(Duration.ofSeconds(5), () -> loop.get() != null)).isTrue();
            List<String> fired = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            EventLoop.Timer cancelled = loop.get().schedule(Duration.ofMillis(50), () -> fired.add("cancelled"));
            loop.get().schedule(Duration.ofMillis(100), () -> fired.add("second"));
            loop.get().schedule(Duration.ofMillis(20), () -> fired.add("first"));
            loop.get().schedule(Duration.ofMillis(200), done::countDown);
            assertThat(cancelled.cancel()).isTrue();
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(fired).containsExactly("first", "second");
            AtomicReference<Boolean> onLoop = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            loop.get().execute(() -> {
                onLoop.set(loop.get().inEventLoop());
                ran.countDown();
            });
            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(onLoop.get()).isTrue();
        }
    }

    @Test
    void shutdownDrainsThenClosesAndLeavesNoThreadsOrDescriptors() throws Exception {
        int fdsBefore = openDescriptors();
        long loopThreadsBefore = loopThreads();
        AtomicInteger lost = new AtomicInteger();
        server = AsyncServer.tcp(LOOPBACK, () -> new Protocol() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.incrementAndGet();
            }
        });
        server.setEventLoops(2);
        server.start();
        try (Socket busy = connect(server.serverAddress()); Socket leaving = connect(server.serverAddress())) {
            busy.getOutputStream().write('?');   // a request the protocol never answers: not a quiet point
            assertThat(await(Duration.ofSeconds(5), () -> server.activeRequests() == 2 && server.stats().bytesIn() == 1)).isTrue();
            Thread.startVirtualThread(() -> {
                await(Duration.ofMillis(200), () -> false);
                try {
                    leaving.close();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            long start = System.nanoTime();
            boolean drained = server.shutdown(Duration.ofMillis(700));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(drained).isFalse();   // the busy one outlived the deadline
            assertThat(tookMillis).isGreaterThanOrEqualTo(600);
            assertThat(busy.getInputStream().read()).isEqualTo(-1);
            assertThat(server.stats().drainCuts()).isEqualTo(1);
        }
        assertThat(lost.get()).isEqualTo(2);
        assertThat(loopThreads()).isEqualTo(loopThreadsBefore);
        assertThat(openDescriptors()).isLessThanOrEqualTo(fdsBefore);
    }

    // ---- helpers -------------------------------------------------------------------------------

    static String tcpRoundTrip(SocketAddress address, String message) throws IOException {
        try (Socket client = connect(address)) {
            client.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
            client.shutdownOutput();
            return new String(readAll(client.getInputStream()), StandardCharsets.UTF_8);
        }
    }

    static Socket connect(SocketAddress address) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    static boolean await(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    static int openDescriptors() {
        return dev.socketserver.Descriptors.open();
    }

    static long loopThreads() {
        return Stream.of(ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
                .filter(t -> t.getThreadName().startsWith("socketserver-loop-")).count();
    }
}
