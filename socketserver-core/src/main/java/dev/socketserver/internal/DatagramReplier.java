package dev.socketserver.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/** Sends a reply datagram through a server's socket. Implementations are safe for concurrent use. */
@FunctionalInterface
public interface DatagramReplier {
    void send(ByteBuffer datagram, SocketAddress target) throws IOException;
}
