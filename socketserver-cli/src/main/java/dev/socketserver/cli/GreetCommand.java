package dev.socketserver.cli;

import dev.socketserver.UnixAddress;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import picocli.CommandLine.Command;

import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@code socketserver greet}: the example of Python's {@code socketserver} documentation. For each
 * client it prints {@code got connection from ADDRESS} on standard output, sends
 * {@code connection} and closes; over UDP it replies {@code connection} to each datagram. The
 * lines go through a {@link LinePrinter}: if standard output is not read, lines are dropped and
 * counted, and clients are served all the same.
 */
@Command(name = "greet",
        description = "Python's socketserver example: prints 'got connection from ADDRESS', "
                + "sends 'connection' and closes; over UDP, replies 'connection' to each datagram.")
final class GreetCommand extends ServerCommand {
    private static final byte[] GREETING = "connection".getBytes(StandardCharsets.US_ASCII);
    private static final String UNNAMED_UNIX_CLIENT = "an unnamed unix socket";

    @Override
    Service service(LinePrinter out) {
        return new Service(
                connection -> {
                    announce(out, connection.clientAddress());
                    connection.out().write(GREETING);
                },
                datagram -> {
                    announce(out, datagram.sender());
                    datagram.reply(GREETING);
                },
                () -> new Protocol() {
                    @Override
                    public void connectionMade(Transport transport) {
                        announce(out, transport.clientAddress());
                        transport.write(GREETING);
                        transport.close();
                    }
                },
                () -> new DatagramProtocol() {
                    private DatagramTransport transport;

                    @Override
                    public void connectionMade(DatagramTransport transport) {
                        this.transport = transport;
                    }

                    @Override
                    public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                        announce(out, sender);
                        transport.send(ByteBuffer.wrap(GREETING), sender);
                    }
                });
    }

    /** Queues the line: a standard output nobody reads must not stop serving. */
    private static void announce(LinePrinter out, SocketAddress client) {
        out.println("got connection from " + describe(client));
    }

    /** {@code 127.0.0.1:53422}, {@code [::1]:53422}, or {@code unix:PATH} for a Unix client that bound a path. */
    static String describe(SocketAddress client) {
        return switch (client) {
            case null -> UNNAMED_UNIX_CLIENT;
            case UnixDomainSocketAddress unix when unix.getPath().toString().isEmpty() -> UNNAMED_UNIX_CLIENT;
            case UnixDomainSocketAddress unix -> AddressText.uri("unix", unix);
            case UnixAddress unix -> "unixgram:" + unix;
            default -> AddressText.of(client);
        };
    }
}
