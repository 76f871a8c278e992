package dev.socketserver.contract;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import static dev.socketserver.contract.Clients.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends and never reads costs the server a bounded amount, in both families and
 * with the default options: the blocking handler blocks in its write, and the event loop stops
 * reading a connection whose replies are backed up, even under an echo protocol that ignores
 * {@code pauseWriting}. The client's sends stall, what the server read stays far below what the
 * client tried to send, and another client is served meanwhile.
 */
class NeverReadingClientContractTest {
    private static final int TRIED = 96 * 1024 * 1024;
    /** What the kernel's buffers on both sides may hold (a few MiB each way on loopback), plus the high-water mark. */
    private static final long BOUND = 24L * 1024 * 1024;
    private static final long STALL_MILLIS = 1_500;

    @ParameterizedTest
    @EnumSource(Family.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClientThatNeverReadsIsHeldBackAndOthersAreServed(Family family) throws IOException {
        try (Family.Server server = family.tcp(Family.Handler.ECHO)) {
            server.start();
            long sent;
            try (SocketChannel greedy = SocketChannel.open(server.address())) {
                sent = sendUntilStalled(greedy);

                assertThat(sent).as("the client's sends stall long before all of it is taken").isLessThan(TRIED);
                long read = server.stats().bytesIn();
                assertThat(read).as("what the server read of it").isLessThan(BOUND);
                assertThat(exchangeWith(server.address())).isEqualTo("hello");
            }
        }
    }

    /** Sends without reading until a send makes no progress for {@link #STALL_MILLIS}, or {@link #TRIED} bytes went. */
    private static long sendUntilStalled(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
        long sent = 0;
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_WRITE);
            while (sent < TRIED) {
                if (!chunk.hasRemaining()) {
                    chunk.clear();
                }
                int n = channel.write(chunk);
                sent += n;
                if (n == 0) {
                    selector.selectedKeys().clear();
                    if (selector.select(STALL_MILLIS) == 0) {
                        return sent;   // not writable for the whole wait: the server stopped reading
                    }
                }
            }
        }
        return sent;
    }

    private static String exchangeWith(SocketAddress address) throws IOException {
        try (Socket client = Clients.connect(address, null)) {
            client.getOutputStream().write(ascii("hello"));
            byte[] reply = client.getInputStream().readNBytes(5);
            return new String(reply, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }
}
