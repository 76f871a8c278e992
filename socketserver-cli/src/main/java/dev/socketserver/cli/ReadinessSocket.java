package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.TcpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code --ready-listen}: a TCP socket that accepts connections, and closes each at once, while
 * the server is ready, for a load balancer's or Kubernetes' {@code tcpSocket} readiness probe. It
 * closes at the first stop signal, so the probe fails while the server goes on serving for
 * {@code --drain-delay}: the endpoint is taken out of rotation before the server stops accepting.
 * It is a server of this library itself: one connection at a time, nothing read.
 */
final class ReadinessSocket implements AutoCloseable {
    private final Server server;

    private ReadinessSocket(Server server) {
        this.server = server;
    }

    /**
     * Binds {@code address} and accepts from now on.
     *
     * @throws IllegalArgumentException if {@code address} is not {@code tcp://HOST:PORT}
     */
    static ReadinessSocket open(ListenAddress address) throws IOException {
        if (!(address instanceof ListenAddress.Tcp(String host, int port))) {
            throw new IllegalArgumentException("--ready-listen takes tcp://HOST:PORT (a tcpSocket probe's address), not " + address);
        }
        var socketAddress = new InetSocketAddress(host, port);
        if (socketAddress.isUnresolved()) {
            throw new UnknownHostException("--ready-listen " + address + ": unknown host '" + host + "'");
        }
        // SO_REUSEPORT: a successor started by SIGHUP binds the same port while this process still
        // holds it, and this one closes it when it hands over
        Server server = new TcpServer(socketAddress, connection -> { }, Concurrency.synchronous(),
                ServerOptions.builder().reusePort(true).build());
        server.start();
        return new ReadinessSocket(server);
    }

    /** The bound address, {@code tcp://HOST:PORT}, with the real port when port 0 was asked for. */
    String uri() {
        return server.serverUri();
    }

    /** Stops accepting: from now on the probe's connections are refused. */
    @Override
    public void close() {
        server.close();
    }
}
