package dev.socketserver.examples;

import dev.socketserver.Concurrency;
import dev.socketserver.StreamRequestHandler;
import dev.socketserver.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The seed's first example: a synchronous TCP server on port 9000 that greets each client.
 *
 * <pre>{@code
 * from SocketServer import TCPServer, StreamRequestHandler
 * class Handler(StreamRequestHandler):
 *     def handle(self):
 *         addr = self.request.getpeername()
 *         print 'got connection from', addr
 *         self.wfile.write('connection')
 * server = TCPServer(('', 9000), Handler)
 * server.serve_forever()
 * }</pre>
 *
 * Run it with {@code java -cp ... dev.socketserver.examples.GreetingServer [port]} and connect
 * with {@code nc 127.0.0.1 9000}.
 */
public final class GreetingServer {
    private GreetingServer() {
    }

    /** Greets one client at a time. */
    static final class Handler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            System.out.println("got connection from " + clientAddress());
            wfile().write("connection".getBytes(StandardCharsets.UTF_8));
        }
    }

    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        try (var server = new TcpServer(new InetSocketAddress(port), Handler::new, Concurrency.synchronous())) {
            System.out.println("listening on " + server.serverUri());
            server.serveForever();
        }
    }
}
