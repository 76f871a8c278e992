package dev.socketserver;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A UDP test client on an ephemeral port of the wildcard address, with a 5 s read timeout. */
final class UdpClient implements TestServers.Client {
    private final DatagramSocket socket;
    private final SocketAddress server;

    UdpClient(SocketAddress server) throws IOException {
        this.server = server;
        this.socket = new DatagramSocket();
        socket.setSoTimeout((int) TestServers.DEADLINE.toMillis());
    }

    /** The port the client sends from. */
    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] data) throws IOException {
        socket.send(new DatagramPacket(data, data.length, server));
    }

    /** The next datagram with its source address; throws {@link java.net.SocketTimeoutException} after 5 s. */
    DatagramPacket receivePacket() throws IOException {
        byte[] buffer = new byte[65_536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return packet;
    }

    /** The next datagram, or null if none arrives within {@code wait}. */
    DatagramPacket receivePacketWithin(java.time.Duration wait) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            return receivePacket();
        } catch (java.net.SocketTimeoutException none) {
            return null;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    byte[] receiveBytes() throws IOException {
        DatagramPacket packet = receivePacket();
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    /** The next datagram as text, or null if none arrives within {@code wait}. */
    String receiveWithin(java.time.Duration wait) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
        try {
            return receive();
        } catch (java.net.SocketTimeoutException none) {
            return null;
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    @Override
    public String receive() throws IOException {
        return new String(receiveBytes(), StandardCharsets.UTF_8);
    }

    static InetSocketAddress source(DatagramPacket packet) {
        return (InetSocketAddress) packet.getSocketAddress();
    }

    @Override
    public void close() {
        socket.close();
    }
}
