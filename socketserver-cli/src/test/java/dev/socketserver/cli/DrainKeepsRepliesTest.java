package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md C5 and the "drains on SIGTERM without losing a reply that was being
 * written": ten clients with small socket buffers each send 8 MiB to the echo command and do not
 * read, so when SIGTERM arrives every echo is blocked writing a reply with megabytes still to go
 * (the server's send buffer holds at most 4 MiB). New connections are refused at once; the
 * clients then read, and every one gets its whole 8 MiB back, then EOF; the command exits 0 well
 * before the drain deadline.
 */
@Timeout(60)
class DrainKeepsRepliesTest {
    private static final int CLIENTS = 10;
    private static final int EIGHT_MIB = 8 << 20;

    @Test
    void repliesBeingWrittenWhenSigtermArrivesAreDeliveredWhole() throws Exception {
        try (var cli = CliProcess.start("echo", "--listen", "tcp://127.0.0.1:0", "--drain", "30s");
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            InetSocketAddress server = cli.awaitInetAddress();
            List<SocketChannel> clients = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            List<Future<?>> sends = new ArrayList<>();
            List<AtomicLong> written = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel client = SocketChannel.open();
                client.setOption(StandardSocketOptions.SO_RCVBUF, 8192);   // fixed small buffers: no autotuning
                client.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
                client.connect(server);
                AtomicLong progress = new AtomicLong();
                written.add(progress);
                byte[] payload = new byte[EIGHT_MIB];
                new Random(i).nextBytes(payload);
                clients.add(client);
                payloads.add(payload);
                sends.add(executor.submit(() -> {
                    for (int at = 0; at < payload.length; at += 64 * 1024) {
                        ByteBuffer slice = ByteBuffer.wrap(payload, at, Math.min(64 * 1024, payload.length - at));
                        while (slice.hasRemaining()) {
                            client.write(slice);   // blocks once the echo, blocked on us, stops reading
                        }
                        progress.set(slice.limit());   // bytes sent so far
                    }
                    client.shutdownOutput();
                    return null;
                }));
            }
            // every echo is now blocked writing a reply nobody reads; wait until no send makes progress for 300 ms
            long[] last = {-1};
            int[] unchanged = {0};
            Clients.awaitTrue("the sends to finish or stall", () -> {
                long now = written.stream().mapToLong(AtomicLong::get).sum();
                unchanged[0] = now == last[0] ? unchanged[0] + 1 : 0;
                last[0] = now;
                return unchanged[0] >= 15;   // polled every 20 ms
            });
            long signalled = System.nanoTime();
            cli.sigterm();
            Clients.awaitRefused(server);

            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            for (SocketChannel client : clients) {
                replies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        InputStream in = Channels.newInputStream(client);
                        return in.readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, executor));
            }
            for (int i = 0; i < CLIENTS; i++) {
                byte[] reply = replies.get(i).get(30, TimeUnit.SECONDS);
                assertThat(reply.length).as("client %d's reply; the command's stderr:%n%s", i, cli.stderr()).isEqualTo(EIGHT_MIB);
                assertThat(Arrays.equals(reply, payloads.get(i))).as("client %d's reply is its payload", i).isTrue();
                sends.get(i).get(5, TimeUnit.SECONDS);
            }
            assertThat(cli.awaitExit()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(20));
            for (SocketChannel client : clients) {
                client.close();
            }
        }
    }
}
