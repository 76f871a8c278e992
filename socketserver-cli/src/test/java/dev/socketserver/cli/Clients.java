package dev.socketserver.cli;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
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
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/**
 * Test clients over real sockets. Blocking reads on a {@link SocketChannel} are interruptible, so
 * a test's {@code @Timeout} ends a read that would hang.
 */
final class Clients {
    private Clients() {
    }

    static SocketChannel connect(SocketAddress address) throws IOException {
        return SocketChannel.open(address);
    }

    /**
     * Connects {@code plain} (a new, unconnected socket) to {@code address}, with a read timeout; over
     * TLS, returns the handshaken {@link SSLSocket} layered on it, trusting any certificate. Close
     * {@code plain} first: an SSLSocket's close waits for a blocked writer.
     */
    static Socket connect(Socket plain, InetSocketAddress address, boolean tls) throws Exception {
        plain.connect(address, 10_000);
        plain.setSoTimeout(20_000);
        if (!tls) {
            return plain;
        }
        SSLSocket secure = (SSLSocket) ProductionOptionsTest.trustAll().getSocketFactory().createSocket(plain, "localhost", address.getPort(), true);
        secure.startHandshake();
        return secure;
    }

    static SocketChannel connectUnix(Path path) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    static void send(SocketChannel channel, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    /** Reads exactly {@code length} bytes; fails if the stream ends first. */
    static String read(SocketChannel channel, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes) < 0) {
                fail("the stream ended after " + bytes.position() + " of " + length + " bytes");
            }
        }
        return new String(bytes.array(), StandardCharsets.UTF_8);
    }

    /** Reads until the peer closes: what it sent, then EOF. */
    static String readToEnd(SocketChannel channel) throws IOException {
        return new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Whether the peer ended the stream (EOF or reset) without sending more. */
    static boolean endsWithoutData(SocketChannel channel) {
        try {
            return channel.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Sends {@code payload} in one datagram and returns the one datagram that comes back. */
    static byte[] exchangeDatagram(InetSocketAddress server, byte[] payload) throws IOException {
        try (var socket = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0))) {
            socket.setSoTimeout((int) CliProcess.PATIENCE.toMillis());
            socket.send(new DatagramPacket(payload, payload.length, server));
            byte[] buffer = new byte[65_536];
            var reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            return Arrays.copyOf(buffer, reply.getLength());
        }
    }

    /** Waits until a TCP connect to {@code address} is refused: the server closed its listener. */
    static void awaitRefused(InetSocketAddress address) {
        awaitTrue("connections to " + address + " to be refused", () -> {
            try {
                SocketChannel.open(address).close();
                return false;
            } catch (ConnectException refused) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Waits until {@code file} no longer exists. */
    static void awaitGone(Path file) {
        awaitTrue(file + " to be removed", () -> !Files.exists(file));
    }

    /** Polls {@code condition} until it holds, for at most {@link CliProcess#PATIENCE}. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + CliProcess.PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("gave up waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());   // the pause between polls
            if (Thread.interrupted()) {
                fail("interrupted while waiting for " + what);
            }
        }
    }
}
