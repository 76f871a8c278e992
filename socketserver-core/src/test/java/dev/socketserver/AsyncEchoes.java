package dev.socketserver;

import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Echo protocols for the event-loop server, for tests that run a family-neutral echo. */
final class AsyncEchoes {
    private AsyncEchoes() {
    }

    /** Writes back whatever a connection sends. */
    static final class StreamEcho implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /** Sends every datagram back to its sender. */
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
