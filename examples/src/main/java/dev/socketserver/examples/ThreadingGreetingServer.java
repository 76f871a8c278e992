package dev.socketserver.examples;

import dev.socketserver.Concurrency;
import dev.socketserver.StreamRequestHandler;
import dev.socketserver.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The seed's third example: the greeter with a thread per connection, on port 5000.
 *
 * <pre>{@code
 * from SocketServer import TCPServer, ThreadingMixIn, StreamRequestHandler
 * class Server(ThreadingMixIn, TCPServer): pass
 * class Handler(StreamRequestHandler):
 *     def handler(self):          # sic: misspelt, so Python's version greets nobody
 *         ...
 * }</pre>
 *
 * In Java {@code handle()} is abstract and overridden with {@code @Override}, so the seed's typo
 * would not compile; this version greets every client, as was meant.
 */
public final class ThreadingGreetingServer {
    private ThreadingGreetingServer() {
    }

    /** Greets each client from its own thread. */
    static final class Handler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            System.out.println("got connection from " + clientAddress() + " in " + Thread.currentThread().getName());
            wfile().write("connection".getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        try (var server = new TcpServer(new InetSocketAddress(port), Handler::new, Concurrency.threads())) {
            System.out.println("listening on " + server.serverUri());
            server.serveForever();
        }
    }
}
