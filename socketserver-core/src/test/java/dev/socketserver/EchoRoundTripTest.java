package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(20)
class EchoRoundTripTest {

    static final ConnectionHandler ECHO = conn -> conn.in().transferTo(conn.out());

    @Test
    void tcpEchoesBytesAsTheyArrive() throws Exception {
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ECHO)) {
            Thread serving = Thread.ofPlatform().start(() -> serve(server));
            try (var client = SocketChannel.open(server.serverAddress())) {
                client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
                assertThat(readExactly(client, 5)).isEqualTo("hello");
                client.write(ByteBuffer.wrap(" world".getBytes(StandardCharsets.UTF_8)));
                assertThat(readExactly(client, 6)).isEqualTo(" world");
            }
            server.shutdown();
            serving.join(5_000);
            assertThat(serving.isAlive()).isFalse();
        }
    }

    @Test
    void unixStreamEchoesAndRemovesItsFile() throws Exception {
        Path dir = Files.createTempDirectory("socketserver");
        Path path = dir.resolve("echo.sock");
        try (var server = new UnixStreamServer(path, ECHO)) {
            Thread.ofPlatform().start(() -> serve(server));
            try (var client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                client.write(ByteBuffer.wrap("hi\n".getBytes(StandardCharsets.UTF_8)));
                assertThat(readExactly(client, 3)).isEqualTo("hi\n");
            }
        }
        assertThat(path).doesNotExist();
        Files.delete(dir);
    }

    @Test
    void udpEchoesEachDatagram() throws Exception {
        try (var server = new UdpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), d -> d.reply(d.data()));
             var client = DatagramChannel.open(StandardProtocolFamily.INET)) {
            Thread.ofPlatform().start(() -> serve(server));
            client.connect(server.serverAddress());
            client.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer reply = ByteBuffer.allocate(100);
            client.read(reply);
            assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.UTF_8)).isEqualTo("ping");
        }
    }

    static void serve(BaseServer<?> server) {
        try {
            server.serveForever();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static String readExactly(SocketChannel client, int n) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(n);
        while (buffer.hasRemaining()) {
            if (client.read(buffer) < 0) {
                break;
            }
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
