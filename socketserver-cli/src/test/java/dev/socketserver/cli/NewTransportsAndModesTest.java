package dev.socketserver.cli;

import dev.socketserver.UnixAddress;
import dev.socketserver.UnixDatagramSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** unixgram: addresses (paths and abstract names) and the async mode, as a user runs them. */
@Timeout(60)
class NewTransportsAndModesTest {
    @TempDir
    Path directory;

    @ParameterizedTest
    @ValueSource(strings = {"sync", "threads", "virtual", "bounded:2", "async"})
    void unixgramEchoesToABoundClientAndRemovesItsFile(String mode) throws Exception {
        Path path = directory.resolve("e.sock");
        try (var cli = CliProcess.start("echo", "--listen", "unixgram:" + path, "--concurrency", mode)) {
            assertThat(cli.awaitListening()).isEqualTo("unixgram:" + path);
            try (var client = UnixDatagramSocket.bind(UnixAddress.of(directory.resolve("c.sock")))) {
                client.send("over unixgram".getBytes(StandardCharsets.UTF_8), UnixAddress.of(path));
                assertThat(new String(client.receive(Duration.ofSeconds(10)).data(), StandardCharsets.UTF_8)).isEqualTo("over unixgram");
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void unixgramTakesAnAbstractNameAndGreets() throws Exception {
        String name = "socketserver-cli-test-" + ProcessHandle.current().pid();
        try (var cli = CliProcess.start("greet", "--listen", "unixgram:@" + name)) {
            assertThat(cli.awaitListening()).isEqualTo("unixgram:@" + name);
            try (var client = UnixDatagramSocket.autobind()) {
                client.send("hi".getBytes(StandardCharsets.UTF_8), UnixAddress.ofAbstract(name));
                assertThat(new String(client.receive(Duration.ofSeconds(10)).data(), StandardCharsets.UTF_8)).isEqualTo("connection");
                assertThat(cli.nextLine()).isEqualTo("got connection from unixgram:" + client.localAddress());
            }
        }
    }

    @Test
    void asyncEchoesOverTcpUdpAndUnix() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--concurrency", "async:2");
             var client = Clients.connect(cli.awaitInetAddress())) {
            Clients.send(client, "a");
            assertThat(Clients.read(client, 1)).isEqualTo("a");
            Clients.send(client, "bc");
            assertThat(Clients.read(client, 2)).isEqualTo("bc");
        }
        try (var cli = CliProcess.start("echo", "--listen", "udp://127.0.0.1:0", "--concurrency", "async")) {
            assertThat(Clients.exchangeDatagram(cli.awaitInetAddress(), "dgram".getBytes(StandardCharsets.UTF_8)))
                    .asString(StandardCharsets.UTF_8).isEqualTo("dgram");
        }
        Path path = directory.resolve("async.sock");
        try (var cli = CliProcess.start("echo", "--listen", "unix:" + path, "--concurrency", "async")) {
            cli.awaitListening();
            try (var client = Clients.connectUnix(path)) {
                Clients.send(client, "unix");
                assertThat(Clients.read(client, 4)).isEqualTo("unix");
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void asyncGreetGreetsAndCloses() throws Exception {
        try (var cli = CliProcess.start("greet", "--listen", "tcp://127.0.0.1:0", "--concurrency", "async");
             var client = Clients.connect(cli.awaitInetAddress())) {
            assertThat(Clients.readToEnd(client)).isEqualTo("connection");
            assertThat(cli.nextLine()).startsWith("got connection from 127.0.0.1:");
        }
    }
}
