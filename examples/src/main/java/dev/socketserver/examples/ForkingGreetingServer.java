package dev.socketserver.examples;

import dev.socketserver.Concurrency;
import dev.socketserver.InheritedConnection;
import dev.socketserver.StreamRequestHandler;
import dev.socketserver.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The seed's second example: the greeter with a process per connection, on port 9000.
 *
 * <pre>{@code
 * from SocketServer import TCPServer, ForkingMixIn, StreamRequestHandler
 * class Server(ForkingMixIn, TCPServer): pass
 * class Handler(StreamRequestHandler):
 *     def handler(self):          # sic: misspelt, so Python's version greets nobody
 *         ...
 * }</pre>
 *
 * A JVM cannot {@code fork()}, so each connection starts this same program again with
 * {@code --child} and the connected socket as its standard input and output
 * ({@link Concurrency#processPerConnection}); there {@link InheritedConnection#serve} runs the
 * handler on it, exactly as Python's forked child does. A crash or an {@code System.exit} in one
 * greeting cannot touch the server. Because the child's standard output is the client's socket,
 * the handler notes the connection on standard error, which the child shares with the server.
 */
public final class ForkingGreetingServer {
    private ForkingGreetingServer() {
    }

    /** Greets the client from its own process. */
    static final class Handler extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            System.err.println("got connection from " + clientAddress() + " in process " + ProcessHandle.current().pid());
            wfile().write("connection".getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Serves on port 9000 (or the port given); with {@code --child}, greets the connection on standard input. */
    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--child")) {
            InheritedConnection.serve(Handler::new);
            return;
        }
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        List<String> child = InheritedConnection.javaCommand(ForkingGreetingServer.class, "--child");
        // the server's own handler is never called: the child serves each connection
        try (var server = new TcpServer(new InetSocketAddress(port), connection -> { }, Concurrency.processPerConnection(child))) {
            System.out.println("listening on " + server.serverUri());
            server.serveForever();
        }
    }
}
