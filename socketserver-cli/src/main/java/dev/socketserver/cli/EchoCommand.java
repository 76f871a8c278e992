package dev.socketserver.cli;

import picocli.CommandLine.Command;

import java.io.PrintStream;

/** {@code socketserver echo}: sends back every byte as it arrives, or every datagram as it came. */
@Command(name = "echo",
        description = "Echo server: sends the bytes of a connection back as they arrive; "
                + "over UDP, sends each datagram back to its sender.")
final class EchoCommand extends ServerCommand {

    @Override
    Service service(PrintStream out) {
        return new Service(
                connection -> connection.in().transferTo(connection.out()),
                datagram -> datagram.reply(datagram.data()));
    }
}
