package dev.socketserver.cli;

import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import picocli.CommandLine.Command;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** {@code socketserver echo}: sends back every byte as it arrives, or every datagram as it came. */
@Command(name = "echo",
        description = "Echo server: sends the bytes of a connection back as they arrive; "
                + "over UDP, sends each datagram back to its sender.")
final class EchoCommand extends ServerCommand {

    @Override
    Service service(LinePrinter out) {
        return new Service(
                connection -> connection.in().transferTo(connection.out()),
                datagram -> datagram.reply(datagram.data()),
                EchoProtocol::new,
                EchoDatagrams::new);
    }

    /** Sends every byte back as it arrives, on an event loop. */
    static final class EchoProtocol implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /** Sends every datagram back to its sender, on an event loop. */
    static final class EchoDatagrams implements DatagramProtocol {
        private DatagramTransport transport;

        @Override
        public void connectionMade(DatagramTransport transport) {
            this.transport = transport;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress sender) {
            transport.send(data, sender);
        }
    }
}
