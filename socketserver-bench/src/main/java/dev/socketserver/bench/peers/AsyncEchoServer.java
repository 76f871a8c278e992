package dev.socketserver.bench.peers;

import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Our event-loop server ({@link AsyncServer}) as an echo server, for the benchmark matrix until
 * {@code socketserver echo --concurrency async} exists. The protocol is the one the documentation
 * shows: write back what arrives, and stop reading while the peer is not reading (water marks).
 *
 * <pre>java -cp socketserver-bench.jar dev.socketserver.bench.peers.AsyncEchoServer --listen tcp://127.0.0.1:0 [--loops N]</pre>
 */
public final class AsyncEchoServer {
    private AsyncEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        PeerArgs peer = null;
        try {
            peer = PeerArgs.parse(args, List.of("loops"));
        } catch (IllegalArgumentException e) {
            PeerArgs.fail(e);
        }
        AsyncServer server = switch (peer.scheme()) {
            case "tcp" -> AsyncServer.tcp(peer.socketAddress(), Echo::new);
            case "unix" -> AsyncServer.unix(peer.path(), Echo::new);
            case "udp" -> AsyncServer.udp(peer.socketAddress(), new DatagramEcho());
            default -> throw new IllegalArgumentException("expected tcp://, udp:// or unix:");
        };
        if (peer.options().containsKey("loops")) {
            server.setEventLoops(peer.intOption("loops", 1));
        }
        server.start();
        System.out.println("listening on " + server.serverUri());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.serveForever();
    }

    /** Writes back what arrives. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }

        @Override
        public void pauseWriting() {
            transport.pauseReading();
        }

        @Override
        public void resumeWriting() {
            transport.resumeReading();
        }
    }

    /** Sends each datagram back to its sender. */
    static final class DatagramEcho implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress sender) {
            transport.send(data, sender);
        }
    }
}
