package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.DatagramPacket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 rows 7 and 8: a datagram server replies from its own address, and DatagramRequestHandler always replies. */
@Timeout(30)
class UdpReplyTest {

    @DisplayName("row 7: the echo comes from the server's address and port to the client's ephemeral port")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void replyComesFromTheServersAddressToTheClientsPort(ThreadModel concurrency) throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.datagram(), concurrency);
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("hello world\n");
            DatagramPacket reply = client.receivePacket();   // received on the client's own ephemeral port

            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello world\n");
            assertThat(reply.getSocketAddress()).isEqualTo(server.serverAddress());
        }
    }

    @Test
    @DisplayName("row 8: SILENT with DatagramRequestHandler sends one zero-length datagram")
    void silentDatagramRequestHandlerSendsAZeroLengthReply() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), ReferenceHandlers.SILENT.datagram(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("hi");
            DatagramPacket reply = client.receivePacket();

            assertThat(reply.getLength()).isZero();
            assertThat(reply.getSocketAddress()).isEqualTo(server.serverAddress());
        }
    }

    @Test
    @DisplayName("P13 [beyond]: a function handler that does not reply sends nothing, not even an empty datagram")
    void functionHandlerThatDoesNotReplySendsNothing() throws Exception {
        DatagramHandler pingOnly = d -> {
            if (new String(d.data(), StandardCharsets.UTF_8).equals("ping")) {
                d.reply("pong".getBytes(StandardCharsets.UTF_8));
            }
        };
        try (var server = new UdpServer(TestServers.loopback(), pingOnly, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("quiet");
            client.send("ping");
            // the synchronous server handles them in order: had "quiet" been answered, that reply would come first
            assertThat(client.receive()).isEqualTo("pong");
        }
    }
}
