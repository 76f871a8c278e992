package dev.socketserver.bench.jmh;

import dev.socketserver.BaseServer;
import dev.socketserver.Concurrency;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.TcpServer;
import dev.socketserver.async.AsyncServer;
import dev.socketserver.async.Protocol;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A server under a microbenchmark, in one of our concurrency models, on a loopback port: a
 * {@link TcpServer} serving in a daemon thread, or an {@link AsyncServer}. Closed by
 * {@link #close()}.
 */
final class Servers implements AutoCloseable {
    private final BaseServer<?> blocking;
    private final AsyncServer async;
    private final InetSocketAddress address;

    private Servers(BaseServer<?> blocking, AsyncServer async, InetSocketAddress address) {
        this.blocking = blocking;
        this.async = async;
        this.address = address;
    }

    /**
     * Starts a server in {@code model} ({@code sync}, {@code threads}, {@code virtual},
     * {@code bounded} or {@code async}) with {@code handler} for the blocking models and
     * {@code protocol} for the event loop (one loop).
     */
    static Servers start(String model, ConnectionHandler handler, Supplier<? extends Protocol> protocol) throws IOException {
        var loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (model.equals("async")) {
            AsyncServer server = AsyncServer.tcp(loopback, protocol);
            server.setEventLoops(1);
            server.start();
            return new Servers(null, server, (InetSocketAddress) server.serverAddress());
        }
        Concurrency concurrency = switch (model) {
            case "sync" -> Concurrency.synchronous();
            case "threads" -> Concurrency.threads(true, false);
            case "virtual" -> Concurrency.virtualThreads();
            case "bounded" -> Concurrency.bounded(1024);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
        var server = new TcpServer(loopback, handler, concurrency);
        Thread.ofPlatform().name("bench-serve").daemon().start(() -> {
            try {
                server.serveForever();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return new Servers(server, null, (InetSocketAddress) server.serverAddress());
    }

    /** A blocking client connection with {@code TCP_NODELAY}. */
    SocketChannel connect() throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return channel;
    }

    @Override
    public void close() {
        if (async != null) {
            async.close();
        } else {
            blocking.shutdown(Duration.ofSeconds(1));
        }
    }

    /** Reads exactly {@code into.remaining()} bytes. */
    static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new IOException("the server closed the connection early");
            }
        }
    }
}
