package dev.socketserver.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * The plain JDK peer: {@link ServerSocket}, a virtual thread per connection, and a loop of
 * {@link InputStream#read} and {@link OutputStream#write} with a 16 KiB buffer, socket options
 * left at the JDK's defaults except the backlog (4096, as every server here). Over UDP: one
 * {@link DatagramSocket} and one thread sending each datagram back.
 *
 * <pre>java -cp socketserver-bench.jar dev.socketserver.bench.peers.JdkEchoServer --listen tcp://127.0.0.1:0</pre>
 */
public final class JdkEchoServer {
    private JdkEchoServer() {
    }

    public static void main(String[] args) throws IOException {
        PeerArgs peer = null;
        try {
            peer = PeerArgs.parse(args, List.of());
        } catch (IllegalArgumentException e) {
            PeerArgs.fail(e);
        }
        switch (peer.scheme()) {
            case "tcp" -> serveTcp(peer.socketAddress());
            case "udp" -> serveUdp(peer.socketAddress());
            default -> PeerArgs.fail(new IllegalArgumentException("the plain JDK peer serves tcp:// and udp://"));
        }
    }

    private static void serveTcp(InetSocketAddress address) throws IOException {
        try (var server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(address, 4096);
            PeerArgs.listening("tcp", (InetSocketAddress) server.getLocalSocketAddress());
            while (true) {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> echo(socket));
            }
        }
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            byte[] buffer = new byte[16 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void serveUdp(InetSocketAddress address) throws IOException {
        try (var socket = new DatagramSocket(address)) {
            PeerArgs.listening("udp", (InetSocketAddress) socket.getLocalSocketAddress());
            var packet = new DatagramPacket(new byte[65_536], 65_536);
            while (true) {
                packet.setLength(65_536);
                socket.receive(packet);
                socket.send(packet);   // back to packet's address, the sender
            }
        }
    }
}
