package dev.socketserver.async;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A test client run in its own JVM (one process may hold only 20,000 descriptors, and server plus
 * clients would need that many): opens N connections to an echo server, sends each a distinct
 * 100-byte message ten times over, checks every byte that comes back, and prints
 * {@code ok N} or {@code failed ...}. Exit status 0 on success.
 */
public final class EchoLoadClient {
    private static final int ROUNDS = 10;
    private static final int SIZE = 100;

    private EchoLoadClient() {
    }

    private static final class Client {
        final SocketChannel channel;
        final byte[] message;
        final ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(SIZE);
        int round;

        Client(SocketChannel channel, int id) {
            this.channel = channel;
            this.message = Arrays.copyOf(String.format("%08d", id).repeat(SIZE / 8 + 1).getBytes(StandardCharsets.US_ASCII), SIZE);
            this.out = ByteBuffer.wrap(message);
        }
    }

    public static void main(String[] args) throws IOException {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + 100_000_000_000L;
        try (Selector selector = Selector.open()) {
            Client[] clients = new Client[count];
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(target);           // blocking connect, one at a time: gradual and simple
                channel.configureBlocking(false);
                clients[i] = new Client(channel, i);
            }
            for (Client client : clients) {
                client.channel.write(client.out);
                client.channel.register(selector, SelectionKey.OP_READ, client);
            }
            int done = 0;
            while (done < count) {
                if (System.nanoTime() > deadline) {
                    System.out.println("failed: timed out with " + done + " of " + count + " done");
                    System.exit(1);
                }
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    Client client = (Client) key.attachment();
                    if (client.channel.read(client.in) < 0) {
                        System.out.println("failed: connection closed early");
                        System.exit(1);
                    }
                    if (client.in.hasRemaining()) {
                        continue;
                    }
                    if (!Arrays.equals(client.in.array(), client.message)) {
                        System.out.println("failed: wrong bytes echoed");
                        System.exit(1);
                    }
                    client.in.clear();
                    if (++client.round == ROUNDS) {
                        key.cancel();
                        done++;
                    } else {
                        client.out.clear();
                        client.channel.write(client.out);
                    }
                }
                selector.selectedKeys().clear();
            }
            for (Client client : clients) {
                client.channel.close();
            }
        }
        System.out.println("ok " + count);
    }
}
