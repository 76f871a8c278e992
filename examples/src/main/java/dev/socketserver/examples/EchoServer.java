package dev.socketserver.examples;

import dev.socketserver.TcpServer;

import java.io.IOException;

/** The smallest useful server: TCP echo on 127.0.0.1 port 9000, a virtual thread per connection. */
public final class EchoServer {
    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        TcpServer.serve(9000, conn -> conn.in().transferTo(conn.out()));
    }
}
