package dev.socketserver.async;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A datagram socket as a {@link DatagramProtocol} drives it. {@link #send} is safe from any
 * thread; off the loop it is handed to the loop. Implemented by the library.
 */
public interface DatagramTransport {

    /** Sends the remaining bytes of {@code data} to {@code target} as one datagram (copied if it must wait). */
    void send(ByteBuffer data, SocketAddress target);

    /** Closes the socket. */
    void close();

    /** The local address. */
    SocketAddress localAddress();

    /** The event loop the socket lives on. */
    EventLoop loop();
}
