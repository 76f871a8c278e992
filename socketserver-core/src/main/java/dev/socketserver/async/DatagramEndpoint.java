package dev.socketserver.async;

import dev.socketserver.internal.Loggers;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ServerCounters;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP socket on an event loop: the {@link DatagramTransport} its {@link DatagramProtocol} sees.
 * Runs on the loop. Replies the socket cannot take at once wait in a queue of at most
 * {@value #MAX_QUEUED} datagrams and the write-buffer limit in bytes (replies sent from other
 * threads on their way to the loop included); beyond that they are dropped, as the network drops
 * datagrams, and counted.
 */
final class DatagramEndpoint implements DatagramTransport, EventLoop.LoopChannel {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);              // the socket and its datagrams
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);    // the protocol's exceptions
    private static final int DATAGRAMS_PER_WAKEUP = 64;
    private static final int MAX_QUEUED = 1024;

    private record Outgoing(ByteBuffer data, SocketAddress target) {
    }

    private final EventLoop loop;
    private final DatagramChannel channel;
    private final DatagramProtocol protocol;
    private final ServerCounters counters;
    private final SocketAddress localAddress;   // not the channel's: an adopted socket's channel caches another
    private final long queueLimit;   // bytes; 0: no limit but the count
    private final ArrayDeque<Outgoing> pending = new ArrayDeque<>();
    private final AtomicLong queuedBytes = new AtomicLong();   // in pending, and on their way to the loop
    private LoopKey key;
    private boolean closed;

    DatagramEndpoint(EventLoop loop, DatagramChannel channel, SocketAddress localAddress, DatagramProtocol protocol,
                     ServerCounters counters, long queueLimit) {
        this.loop = loop;
        this.channel = channel;
        this.localAddress = localAddress;
        this.protocol = protocol;
        this.counters = counters;
        this.queueLimit = queueLimit;
    }

    void open() {
        try {
            key = loop.selectorReadiness().register(channel, SelectionKey.OP_READ, this);
            protocol.connectionMade(this);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.ERROR, "datagram socket " + this + " could not start", e);
            abort(e);
        }
    }

    @Override
    public void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flush();
        }
        if (closed || !key.isValid() || (readyOps & SelectionKey.OP_READ) == 0) {
            return;
        }
        ByteBuffer buffer = loop.readBuffer;
        for (int i = 0; i < DATAGRAMS_PER_WAKEUP && !closed; i++) {
            buffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(buffer);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "receive on " + this + " failed: " + e);
                return;
            }
            if (sender == null) {
                return;
            }
            buffer.flip();
            counters.accepted.increment();
            counters.requests.increment();
            counters.closed.increment();
            counters.bytesIn.add(buffer.remaining());
            try {
                protocol.datagramReceived(buffer, sender);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError) {
                    throw e;   // fatal to the server: see EventLoop
                }
                counters.handlerErrors.increment();
                REQUEST_LOG.log(Level.WARNING, "datagramReceived for a datagram from " + Addresses.format(sender) + " threw", e);
            }
        }
    }

    @Override
    public void send(ByteBuffer data, SocketAddress target) {
        if (!loop.inEventLoop()) {
            int length = data.remaining();
            if (!reserve(length, target)) {
                return;
            }
            ByteBuffer copy = copy(data);
            loop.execute(() -> {
                queuedBytes.addAndGet(-length);
                sendOnLoop(copy, target);
            });
            return;
        }
        sendOnLoop(data, target);
    }

    /** Counts {@code length} bytes into the queue, or drops the reply (counted) when they do not fit. */
    private boolean reserve(int length, SocketAddress target) {
        long queued = queuedBytes.addAndGet(length);
        if (queueLimit > 0 && queued > queueLimit) {
            queuedBytes.addAndGet(-length);
            dropped(target);
            return false;
        }
        return true;
    }

    private void dropped(SocketAddress target) {
        counters.repliesDropped.increment();
        LOG.log(Level.DEBUG, () -> "send queue full; datagram to " + Addresses.format(target) + " dropped");
    }

    private void sendOnLoop(ByteBuffer data, SocketAddress target) {
        if (closed) {
            return;
        }
        try {
            int length = data.remaining();
            if (pending.isEmpty() && sent(channel.send(data, target), length)) {
                counters.bytesOut.add(length);
                return;
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "send to " + Addresses.format(target) + " failed: " + e);
            return;
        }
        if (pending.size() >= MAX_QUEUED) {
            dropped(target);
            return;
        }
        if (!reserve(data.remaining(), target)) {
            return;
        }
        pending.add(new Outgoing(copy(data), target));
        key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
    }

    /**
     * Whether a {@code send} of {@code length} bytes that returned {@code result} sent the datagram.
     * A non-blocking send that finds no room returns 0, but so does a sent empty datagram: 0 means
     * "would block" only when there was something to send. (Read as "would block", an empty reply
     * was queued and sent again on every write-ready event, forever.)
     */
    static boolean sent(int result, int length) {
        return result > 0 || length == 0;
    }

    private void flush() {
        try {
            while (!pending.isEmpty()) {
                Outgoing next = pending.peek();
                int length = next.data().remaining();
                if (!sent(channel.send(next.data(), next.target()), length)) {
                    return;
                }
                counters.bytesOut.add(length);
                queuedBytes.addAndGet(-length);
                pending.poll();
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "send failed: " + e);
            queuedBytes.addAndGet(-pending.poll().data().remaining());
        }
        if (pending.isEmpty() && key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
    }

    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            loop.execute(this::close);
            return;
        }
        abort(null);
    }

    @Override
    public void abort(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
        pending.clear();
        try {
            protocol.connectionLost(cause);
        } catch (RuntimeException e) {
            REQUEST_LOG.log(Level.WARNING, "connectionLost threw", e);
        }
    }

    private static ByteBuffer copy(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data.duplicate()).flip();
        return copy;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "udp://" + Addresses.format(localAddress());
    }
}
