package dev.socketserver.junit;

import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/** An echo server of each kind the kit builds. */
enum Echoes {
    TCP(true, () -> TestServer.tcp(conn -> conn.in().transferTo(conn.out()))),
    UNIX(true, () -> TestServer.unix(conn -> conn.in().transferTo(conn.out()))),
    UDP(false, () -> TestServer.udp(d -> d.reply(d.data()))),
    UNIXGRAM(false, () -> TestServer.unixgram(d -> d.reply(d.data()))),
    ASYNC_TCP(true, () -> TestServer.asyncTcp(Echoes::protocol)),
    ASYNC_UNIX(true, () -> TestServer.asyncUnix(Echoes::protocol)),
    ASYNC_UDP(false, () -> TestServer.asyncUdp(datagramProtocol())),
    ASYNC_UNIXGRAM(false, () -> TestServer.asyncUnixgram(datagramProtocol()));

    final boolean stream;
    private final Supplier<TestServer> factory;

    Echoes(boolean stream, Supplier<TestServer> factory) {
        this.stream = stream;
        this.factory = factory;
    }

    TestServer server() {
        return factory.get();
    }

    static Protocol protocol() {
        return new Protocol() {
            private Transport transport;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                transport.write(data);
            }
        };
    }

    static DatagramProtocol datagramProtocol() {
        return new DatagramProtocol() {
            private DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport t) {
                transport = t;
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                transport.send(data, sender);
            }
        };
    }
}
