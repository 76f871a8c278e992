package dev.socketserver;

/**
 * What to do with one connection, as a function (named for what it receives, as
 * {@link DatagramHandler} is): use it where a
 * {@link StreamRequestHandler} subclass, Python's shape, would be ceremony:
 *
 * {@snippet :
 * TcpServer.serve(9000, conn -> conn.in().transferTo(conn.out()));   // an echo server
 * }
 *
 * <p>The function runs once per connection, in the thread the server's {@link Concurrency} gives
 * it. When it returns (or throws) the server closes the connection. An exception goes to the
 * server's {@link BaseServer#handleError handleError}.
 */
@FunctionalInterface
public interface ConnectionHandler {
    /** Serves one connection. */
    void handle(Connection connection) throws Exception;
}
