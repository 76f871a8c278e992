package dev.socketserver;

/**
 * A datagram request handler as a function: what to do with one received datagram. Unlike
 * {@link DatagramRequestHandler}, nothing is sent back unless the function calls
 * {@link Datagram#reply(byte[])}:
 *
 * {@snippet :
 * new UdpServer(new InetSocketAddress(9000), d -> d.reply(d.data())).serveForever();   // echo
 * }
 *
 * <p>The function runs once per datagram, in the thread the server's {@link Concurrency} gives it.
 * An exception goes to the server's {@link BaseServer#handleError handleError}.
 */
@FunctionalInterface
public interface DatagramHandler {
    /** Handles one datagram. */
    void handle(Datagram datagram) throws Exception;
}
