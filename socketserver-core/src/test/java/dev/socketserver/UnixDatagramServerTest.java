package dev.socketserver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Unix datagram servers over FFM: echo in every model, unnamed senders, truncation, socket-file hygiene and errors. */
@Timeout(30)
class UnixDatagramServerTest {
    private Path dir;

    @BeforeEach
    void makeDirectory() throws IOException {
        dir = Files.createTempDirectory(Path.of("/tmp"), "ugram");
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Stream<ThreadModel> models() {
        return Stream.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(2));
    }

    static class Echo extends DatagramRequestHandler {
        @Override
        protected void handle() throws IOException {
            rfile().transferTo(wfile());
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void echoesToTheSendersPathInEveryModel(ThreadModel model) throws Exception {
        UnixAddress serverAddress = UnixAddress.of(dir.resolve("s.sock"));
        try (var server = new UnixDatagramServer(serverAddress, Echo::new, model);
             var client = UnixDatagramSocket.bind(UnixAddress.of(dir.resolve("c.sock")))) {
            Thread serving = serve(server);
            for (int i = 0; i < 3; i++) {
                client.send(("hello world " + i + "\n").getBytes(StandardCharsets.UTF_8), serverAddress);
                Datagram reply = client.receive(Duration.ofSeconds(5));
                assertThat(text(reply)).isEqualTo("hello world " + i + "\n");
                assertThat(reply.sender()).isEqualTo(serverAddress);
            }
            server.shutdown();
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
        assertThat(serverAddress.path()).doesNotExist();
    }

    @Test
    void anUnnamedSenderIsHandledAndItsReplyDroppedWithoutAnError() throws Exception {
        UnixAddress serverAddress = UnixAddress.of(dir.resolve("s.sock"));
        AtomicReference<Datagram> seen = new AtomicReference<>();
        try (var capture = new LogCapture();
             var server = new UnixDatagramServer(serverAddress, () -> new Echo() {
                 @Override
                 protected void handle() throws IOException {
                     seen.set(request());
                     super.handle();
                 }
             }, Concurrency.synchronous());
             var unnamed = UnixDatagramSocket.unbound();
             var named = UnixDatagramSocket.autobind()) {
            serve(server);
            unnamed.send("anyone?".getBytes(StandardCharsets.UTF_8), serverAddress);
            named.send("still serving?".getBytes(StandardCharsets.UTF_8), serverAddress);
            assertThat(text(named.receive(Duration.ofSeconds(5)))).isEqualTo("still serving?");
            assertThat(capture.entries()).anySatisfy(e -> assertThat(e.message()).contains("client has no address to reply to"));
            assertThat(capture.errorBlocks()).isEmpty();
        }
    }

    @Test
    void anOversizeDatagramIsTruncatedAndCounted() throws Exception {
        UnixAddress serverAddress = UnixAddress.of(dir.resolve("s.sock"));
        try (var server = new UnixDatagramServer(serverAddress, Echo::new, Concurrency.synchronous());
             var client = UnixDatagramSocket.autobind()) {
            server.setMaxPacketSize(1000);
            serve(server);
            client.send(new byte[1500], serverAddress);
            Datagram reply = client.receive(Duration.ofSeconds(5));
            assertThat(reply.data()).hasSize(1000);
            assertThat(server.truncatedDatagrams()).isEqualTo(1);

            server.setMaxPacketSize(UnixDatagramServer.DEFAULT_MAX_PACKET_SIZE);
            client.send(new byte[60_000], serverAddress);
            assertThat(client.receive(Duration.ofSeconds(5)).data()).hasSize(60_000);
            assertThat(server.truncatedDatagrams()).isEqualTo(1);
        }
    }

    @Test
    void abstractAddressesServeAndLeaveNoFile() throws Exception {
        UnixAddress serverAddress = UnixAddress.ofAbstract("socketserver-test-" + ProcessHandle.current().pid());
        try (var server = new UnixDatagramServer(serverAddress, d -> d.reply(d.data()));
             var client = UnixDatagramSocket.autobind()) {
            serve(server);
            assertThat(server.serverAddress().isAbstract()).isTrue();
            assertThat(client.localAddress().isAbstract()).isTrue();
            client.send("abstract".getBytes(StandardCharsets.UTF_8), serverAddress);
            assertThat(text(client.receive(Duration.ofSeconds(5)))).isEqualTo("abstract");
            assertThatThrownBy(() -> new UnixDatagramServer(serverAddress, d -> { }))
                    .isInstanceOf(BindException.class).hasMessageContaining("EADDRINUSE");
        }
        try (var server = new UnixDatagramServer(serverAddress, d -> { })) {
            assertThat(server.serverAddress()).isEqualTo(serverAddress);   // free again after close
        }
    }

    @Test
    void permissionBitsAreAppliedToTheSocketFile() throws Exception {
        Path path = dir.resolve("perm.sock");
        ServerOptions options = ServerOptions.builder().socketPermissions(PosixFilePermissions.fromString("rw-rw----")).build();
        try (var server = new UnixDatagramServer(UnixAddress.of(path), Echo::new, Concurrency.synchronous(), options)) {
            assertThat(server.options().socketPermissions()).isEqualTo(PosixFilePermissions.fromString("rw-rw----"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
        }
    }

    @Test
    void aStaleSocketFileIsReplacedAndALiveOneRefused() throws Exception {
        UnixAddress address = UnixAddress.of(dir.resolve("s.sock"));
        Path copy = dir.resolve("stale-source.sock");
        try (var ignored = UnixDatagramSocket.bind(UnixAddress.of(copy))) {
            Files.move(copy, address.path());   // a socket file nobody will be bound to once this closes
        }
        try (var server = new UnixDatagramServer(address, Echo::new)) {
            assertThatThrownBy(() -> new UnixDatagramServer(address, Echo::new))
                    .isInstanceOf(BindException.class).hasMessageContaining("live server");
        }
        Files.writeString(address.path(), "not a socket");
        assertThatThrownBy(() -> new UnixDatagramServer(address, Echo::new))
                .isInstanceOf(BindException.class).hasMessageContaining("not a socket");
        assertThat(Files.readString(address.path())).isEqualTo("not a socket");
    }

    @Test
    void badPathsGetClearErrorsNamingTheAddress() {
        assertThatThrownBy(() -> UnixAddress.of(dir.resolve("x".repeat(120))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the limit of 107");
        assertThatThrownBy(() -> new UnixDatagramServer(UnixAddress.of(dir.resolve("missing/x.sock")), d -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("bind unixgram:" + dir.resolve("missing/x.sock"))
                .hasMessageContaining("ENOENT");
        // /sys refuses new files even to root (EPERM; EACCES for other users), so this holds whoever runs the tests
        assertThatThrownBy(() -> new UnixDatagramServer(UnixAddress.of(Path.of("/sys/socketserver-test.sock")), d -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageMatching("bind unixgram:/sys/socketserver-test\\.sock: (EACCES \\(Permission denied\\)|EPERM \\(Operation not permitted\\))");
    }

    @Test
    void aReceiveTimesOutAndCloseFromAnotherThreadEndsAWait() throws Exception {
        try (var client = UnixDatagramSocket.autobind()) {
            assertThatThrownBy(() -> client.receive(Duration.ofMillis(50))).isInstanceOf(SocketTimeoutException.class);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    client.receive(Duration.ofMinutes(1));
                } catch (IOException expected) {
                    // closed under it
                }
            });
            awaitBlocked(waiter);
            client.close();
            waiter.join(2_000);
            assertThat(waiter.isAlive()).isFalse();
        }
    }

    @Test
    void descriptorsReturnToBaselineAfterClose() throws Exception {
        int before = ResourcesReturnToBaselineTest.openDescriptors();
        for (int i = 0; i < 20; i++) {
            UnixAddress address = UnixAddress.of(dir.resolve("s" + i + ".sock"));
            try (var server = new UnixDatagramServer(address, Echo::new, Concurrency.threads());
                 var client = UnixDatagramSocket.autobind()) {
                Thread serving = serve(server);
                client.send("x".getBytes(StandardCharsets.UTF_8), address);
                client.receive(Duration.ofSeconds(5));
                server.shutdown();
                serving.join(5_000);
            }
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(Duration.ofSeconds(5), ResourcesReturnToBaselineTest::openDescriptors, before))
                .isLessThanOrEqualTo(before);
    }

    static Thread serve(BaseServer<?> server) {
        return Thread.ofPlatform().name("serving").start(() -> EchoRoundTripTest.serve(server));
    }

    static String text(Datagram datagram) {
        return new String(datagram.data(), StandardCharsets.UTF_8);
    }

    private static void awaitBlocked(Thread thread) {
        ResourcesReturnToBaselineTest.awaitAtMost(Duration.ofSeconds(5),
                () -> thread.getState() == Thread.State.RUNNABLE || thread.getState() == Thread.State.WAITING);
    }
}
