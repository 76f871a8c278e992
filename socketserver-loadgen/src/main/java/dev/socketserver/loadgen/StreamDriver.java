package dev.socketserver.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link Driver} for TCP and Unix stream connections. Connections are opened gradually, at most
 * {@value #MAX_PENDING_CONNECTS} attempts at a time, and an attempt that fails (refused, or a full
 * backlog on a Unix socket) is retried after a pause that doubles each time, up to
 * {@value #MAX_ATTEMPTS} attempts.
 *
 * <p>All I/O is non-blocking: a connection writes until the socket or its pipeline window is
 * full, and wants {@code OP_WRITE} only while the socket is full.
 */
final class StreamDriver extends Driver {
    static final int MAX_PENDING_CONNECTS = 64;
    static final int MAX_ATTEMPTS = 8;
    private static final long FIRST_RETRY_NANOS = 20_000_000L;
    private static final long MAX_RETRY_NANOS = 1_000_000_000L;

    private final ArrayDeque<Conn> fresh = new ArrayDeque<>();
    private final PriorityQueue<Conn> retries = new PriorityQueue<>((a, b) -> Long.compare(a.retryAt, b.retryAt));
    private final List<Conn> open = new ArrayList<>();
    private final boolean tcp;
    private int pending;

    /** One connection: its channel and its side of the echo. */
    private static final class Conn {
        final EchoStream echo;
        SocketChannel channel;
        SelectionKey key;
        int interest;
        int attempts;
        long retryAt;
        IOException lastFailure;

        Conn(EchoStream echo) {
            this.echo = echo;
        }
    }

    StreamDriver(LoadOptions options, SocketAddress address, int[] ids, MessagePattern messages, Shared shared) throws IOException {
        super(options, address, ids, messages, shared);
        this.tcp = address instanceof InetSocketAddress;
        for (int id : ids) {
            fresh.add(new Conn(new EchoStream(id, options.size(), options.pipeline())));
        }
    }

    @Override
    void connectSome(long now) {
        while (pending < MAX_PENDING_CONNECTS) {
            Conn c;
            if (!retries.isEmpty() && retries.peek().retryAt <= now) {
                c = retries.poll();
            } else if (!fresh.isEmpty()) {
                c = fresh.poll();
            } else {
                return;
            }
            attempt(c);
        }
    }

    private void attempt(Conn c) {
        c.attempts++;
        try {
            c.channel = tcp ? SocketChannel.open(((InetSocketAddress) address).getAddress() instanceof java.net.Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6) : SocketChannel.open(StandardProtocolFamily.UNIX);
            c.channel.configureBlocking(false);
            if (tcp) {
                c.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (c.channel.connect(address)) {
                connected(c);
            } else {
                c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                pending++;
            }
        } catch (IOException e) {
            failed(c, e);
        }
    }

    private void finishConnect(Conn c) {
        try {
            if (c.channel.finishConnect()) {
                pending--;
                connected(c);
            }
        } catch (IOException e) {
            pending--;
            failed(c, e);
        }
    }

    private void connected(Conn c) throws IOException {
        c.interest = SelectionKey.OP_READ;
        if (c.key == null) {
            c.key = c.channel.register(selector, c.interest, c);
        } else {
            c.key.interestOps(c.interest);
        }
        open.add(c);
        opened();
    }

    private void failed(Conn c, IOException e) {
        close(c);
        c.lastFailure = e;
        if (c.attempts >= MAX_ATTEMPTS || !connecting()) {
            gaveUp("connection " + c.echo.id + " to " + options.target() + " failed after " + c.attempts + " attempts: " + e);
            return;
        }
        long pause = Math.min(MAX_RETRY_NANOS, FIRST_RETRY_NANOS << (c.attempts - 1));
        c.retryAt = System.nanoTime() + pause;
        retries.add(c);
    }

    @Override
    void giveUpConnecting() {
        if (fresh.isEmpty() && retries.isEmpty() && pending == 0) {
            return;
        }
        List<Conn> left = new ArrayList<>(fresh);
        left.addAll(retries);
        fresh.clear();
        retries.clear();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Conn c && key.isValid() && (key.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                left.add(c);
            }
        }
        pending = 0;
        for (Conn c : left) {
            close(c);
            gaveUp("connection " + c.echo.id + " to " + options.target() + " was not open when the connect phase ended"
                    + (c.lastFailure == null ? "" : "; last failure: " + c.lastFailure));
        }
    }

    @Override
    void startTraffic(long now) {
        for (Conn c : List.copyOf(open)) {
            send(c);
        }
    }

    @Override
    void ready(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        if (key.isConnectable()) {
            finishConnect(c);
            return;
        }
        try {
            if (key.isReadable()) {
                read(c);
            }
            if (key.isValid() && key.isWritable()) {
                send(c);
            }
        } catch (IOException e) {
            broken(c, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void read(Conn c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            broken(c, "closed by the server");
            return;
        }
        if (n == 0) {
            return;
        }
        long now = System.nanoTime();
        readBuffer.flip();
        EchoStream echo = c.echo;
        long before = echo.mismatchedMessages();
        int completed = echo.received(readBuffer, pattern, now, latencies);
        if (echo.mismatchedMessages() != before) {
            errors(echo.mismatchedMessages() - before, before == 0 ? "echo mismatch: " + echo.firstMismatch() : null);
        }
        if (completed > 0 && running()) {
            send(c);
        }
    }

    private void send(Conn c) {
        try {
            while (c.echo.wantsToWrite()) {
                writeBuffer.clear();
                c.echo.fill(writeBuffer, pattern);
                writeBuffer.flip();
                long now = System.nanoTime();
                int n = c.channel.write(writeBuffer);
                c.echo.written(n, now);
                if (writeBuffer.hasRemaining()) {
                    interest(c, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
            }
            interest(c, SelectionKey.OP_READ);
        } catch (IOException e) {
            broken(c, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static void interest(Conn c, int ops) {
        if (c.interest != ops) {
            c.interest = ops;
            c.key.interestOps(ops);
        }
    }

    /** An open connection failed or was closed by the server: one error. */
    private void broken(Conn c, String why) {
        if (c.channel == null || !c.channel.isOpen()) {
            return;
        }
        close(c);
        lostConnection();
        error("connection " + c.echo.id + ": " + why);
    }

    private static void close(Conn c) {
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException e) {
                // nothing left to release
            }
        }
        c.key = null;
    }

    @Override
    void closeAll() {
        for (Conn c : open) {
            close(c);
        }
        for (SelectionKey key : selector.keys()) {   // connections still connecting
            if (key.attachment() instanceof Conn c) {
                close(c);
            }
        }
    }
}
