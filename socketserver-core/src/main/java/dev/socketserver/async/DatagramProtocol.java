package dev.socketserver.async;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * What a datagram server does, as callbacks from its event loop: asyncio's
 * {@code DatagramProtocol}. One instance serves the whole socket; callbacks run in one loop
 * thread, one at a time, and must not block.
 */
public interface DatagramProtocol {

    /** The socket is ready; keep {@code transport} to send. */
    default void connectionMade(DatagramTransport transport) {
    }

    /**
     * A datagram arrived from {@code sender}. {@code data} belongs to the event loop and is valid
     * only during this call; {@link DatagramTransport#send} copies as needed.
     */
    void datagramReceived(ByteBuffer data, SocketAddress sender);

    /** The socket is closed. */
    default void connectionLost(Throwable cause) {
    }
}
