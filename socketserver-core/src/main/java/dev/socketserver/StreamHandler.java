package dev.socketserver;

/**
 * A stream request handler as a function: what to do with one connection. Use it where a
 * {@link StreamRequestHandler} subclass would be ceremony:
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
public interface StreamHandler {
    /** Serves one connection. */
    void handle(Connection connection) throws Exception;
}
