package dev.socketserver.contract;

import dev.socketserver.TestServers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Blocking clients and waiting for the contract tests: every wait is bounded. */
final class Clients {
    static final Duration DEADLINE = Duration.ofSeconds(5);

    private Clients() {
    }

    /** A client connected to {@code server} from {@code from} (an address to bind, or null), with a read timeout. */
    static Socket connect(SocketAddress server, String from) throws IOException {
        Socket client = new Socket();
        try {
            if (from != null) {
                client.bind(new InetSocketAddress(from, 0));
            }
            client.connect(server, (int) DEADLINE.toMillis());
            client.setSoTimeout((int) DEADLINE.toMillis());
            return client;
        } catch (IOException e) {
            client.close();
            throw e;
        }
    }

    /** Sends {@code bytes} from {@code from}, then EOF; returns all the server sent ("" if it reset). */
    static String exchange(SocketAddress server, String from, byte[] bytes) throws IOException {
        try (Socket client = connect(server, from)) {
            client.getOutputStream().write(bytes);
            client.shutdownOutput();
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }

    /** Whether the server ends the connection (EOF or reset) within the client's read timeout. */
    static boolean endedByServer(Socket client) throws IOException {
        try {
            return client.getInputStream().read() == -1;
        } catch (SocketException reset) {
            return true;
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Polls {@code condition} until it holds, for up to {@link #DEADLINE}; fails saying {@code what} after that. */
    static void await(String what, BooleanSupplier condition) {
        TestServers.await(DEADLINE, what, condition);
    }
}
