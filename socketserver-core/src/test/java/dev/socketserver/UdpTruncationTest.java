package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 row 9: a UDP server receives at most {@code maxPacketSize} bytes of a datagram (8192 by
 * default, as in Python). Beyond Python (P14): the loss is visible in {@code Datagram.truncated()}
 * and counted in {@code truncatedDatagrams()}.
 */
@Timeout(30)
class UdpTruncationTest {
    private final List<Boolean> truncatedFlags = new CopyOnWriteArrayList<>();

    /** ECHOLINE for datagrams, recording whether each request was truncated. */
    private final class RecordingEcho extends DatagramRequestHandler {
        @Override
        protected void handle() throws Exception {
            truncatedFlags.add(request().truncated());
            rfile().transferTo(wfile());
        }
    }

    private static byte[] pattern(int length) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        return data;
    }

    @Test
    @DisplayName("row 9: a 10000-byte datagram is echoed as its first 8192 bytes, flagged and counted")
    void datagramLongerThanTheDefaultIsTruncatedTo8192FlaggedAndCounted() throws Exception {
        byte[] big = pattern(10_000);
        try (var server = new UdpServer(TestServers.loopback(), RecordingEcho::new, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            assertThat(server.maxPacketSize()).isEqualTo(8192);
            client.send(big);

            assertThat(client.receiveBytes()).isEqualTo(Arrays.copyOf(big, 8192));
            assertThat(truncatedFlags).containsExactly(true);
            assertThat(server.truncatedDatagrams()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("row 9: with setMaxPacketSize(65507) the 10000-byte datagram is echoed whole and not flagged")
    void datagramWithinARaisedLimitArrivesWhole() throws Exception {
        byte[] big = pattern(10_000);
        try (var server = new UdpServer(TestServers.loopback(), RecordingEcho::new, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            server.setMaxPacketSize(65_507);
            client.send(big);

            assertThat(client.receiveBytes()).isEqualTo(big);
            assertThat(truncatedFlags).containsExactly(false);
            assertThat(server.truncatedDatagrams()).isZero();
        }
    }

    @Test
    @DisplayName("row 9 edge: exactly maxPacketSize bytes is whole; one byte more is truncated")
    void datagramOfExactlyTheLimitIsWholeAndOneMoreIsTruncated() throws Exception {
        try (var server = new UdpServer(TestServers.loopback(), RecordingEcho::new, Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send(pattern(8192));
            assertThat(client.receiveBytes()).hasSize(8192);
            client.send(pattern(8193));
            assertThat(client.receiveBytes()).isEqualTo(pattern(8192));

            assertThat(truncatedFlags).containsExactly(false, true);
            assertThat(server.truncatedDatagrams()).isEqualTo(1);
        }
    }
}
