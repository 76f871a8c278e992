package dev.socketserver.junit;

import dev.socketserver.UnixAddress;
import dev.socketserver.UnixDatagramSocket;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Clients of each transport for the kit's own tests: send, then read what comes back, each read bounded in time. */
final class Clients {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private Clients() {
    }

    /** Sends {@code text} on a new stream connection (TCP or Unix), shuts the output, and returns everything the server sent. */
    static String streamExchange(SocketAddress server, String text) throws IOException {
        try (SocketChannel channel = connect(server)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            return readToEnd(channel);
        }
    }

    static SocketChannel connect(SocketAddress server) throws IOException {
        SocketChannel channel = SocketChannel.open(server instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                : StandardProtocolFamily.INET);
        channel.connect(server);
        return channel;
    }

    /** Reads until EOF, with a read timeout on each read (through the socket adaptor for TCP; Unix channels have none, so a reading thread is bounded). */
    static String readToEnd(SocketChannel channel) throws IOException {
        if (channel.getRemoteAddress() instanceof InetSocketAddress) {
            channel.socket().setSoTimeout((int) READ_TIMEOUT.toMillis());
            return new String(channel.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        var in = Channels.newInputStream(channel);
        String[] result = new String[1];
        IOException[] failure = new IOException[1];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                result[0] = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        try {
            if (!reader.join(READ_TIMEOUT)) {
                channel.close();
                throw new AssertionError("no EOF from the server within " + READ_TIMEOUT.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /** Sends one datagram (UDP or Unix datagram) and returns the one that comes back. */
    static String datagramExchange(SocketAddress server, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (server instanceof UnixAddress unix) {
            try (UnixDatagramSocket socket = UnixDatagramSocket.autobind()) {
                socket.send(bytes, unix);
                return new String(socket.receive(READ_TIMEOUT).data(), StandardCharsets.UTF_8);
            }
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.send(new DatagramPacket(bytes, bytes.length, server));
            DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
            socket.receive(reply);
            return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
        }
    }
}
