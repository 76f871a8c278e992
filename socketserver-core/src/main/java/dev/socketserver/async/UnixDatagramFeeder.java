package dev.socketserver.async;

import dev.socketserver.internal.Loggers;

import dev.socketserver.UnixAddress;
import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.linux.UnixDatagramEndpoint;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Semaphore;

/**
 * A Unix datagram socket for an event loop. The JDK cannot select on it, so one platform thread
 * blocks in receive and hands each datagram to the loop, where the protocol's callbacks run as
 * for UDP. At most {@value #HAND_OFF_BYTES} bytes of datagrams are on their way to the loop at
 * once: while a slow protocol holds the loop up, the receiver waits, and further datagrams wait in
 * the socket's own queue (whose overflow the kernel refuses, as for any Unix datagram socket).
 * Sends go straight to the socket from any thread; one to a client whose queue is full waits up to
 * the socket's send timeout.
 */
final class UnixDatagramFeeder implements DatagramTransport {
    private static final System.Logger LOG = System.getLogger(Loggers.SERVER);              // the socket and its datagrams
    private static final System.Logger REQUEST_LOG = System.getLogger(Loggers.REQUEST);    // the protocol's exceptions
    private static final int MAX_DATAGRAM = 64 * 1024;
    static final int HAND_OFF_BYTES = 1024 * 1024;

    private final UnixDatagramEndpoint endpoint;
    private final DatagramProtocol protocol;
    private volatile ServerCounters counters;
    private volatile EventLoop loop;
    private Thread receiver;
    private final Semaphore handOff = new Semaphore(HAND_OFF_BYTES);   // permits are bytes

    UnixDatagramFeeder(UnixDatagramEndpoint endpoint, DatagramProtocol protocol) {
        this.endpoint = endpoint;
        this.protocol = protocol;
    }

    /** Tells the protocol and starts receiving. Runs on {@code loop}. */
    void start(EventLoop loop, ServerCounters counters) {
        this.loop = loop;
        this.counters = counters;
        try {
            protocol.connectionMade(this);
        } catch (RuntimeException e) {
            REQUEST_LOG.log(Level.ERROR, "connectionMade of " + this + " threw", e);
        }
        receiver = Thread.ofPlatform().name("socketserver-unixgram-receiver").daemon().start(this::receive);
    }

    private void receive() {
        try {
            while (endpoint.isOpen()) {
                endpoint.awaitReadable(Long.MAX_VALUE);
                UnixDatagramEndpoint.Received datagram;
                while ((datagram = endpoint.receive(MAX_DATAGRAM)) != null) {
                    UnixDatagramEndpoint.Received received = datagram;
                    int cost = Math.max(1, received.data().length);
                    handOff.acquire(cost);
                    loop.execute(() -> {
                        handOff.release(cost);
                        deliver(received);
                    });
                }
            }
        } catch (ClosedChannelException | InterruptedException e) {
            // closed: the server is stopping
        } catch (IOException e) {
            LOG.log(Level.WARNING, "receiving on " + this + " failed; no more datagrams", e);
        }
    }

    private void deliver(UnixDatagramEndpoint.Received datagram) {
        counters.accepted.increment();
        counters.requests.increment();
        counters.closed.increment();
        counters.bytesIn.add(datagram.data().length);
        if (datagram.truncated()) {
            counters.truncatedDatagrams.increment();
        }
        try {
            protocol.datagramReceived(ByteBuffer.wrap(datagram.data()).asReadOnlyBuffer(), datagram.sender());
        } catch (RuntimeException e) {
            counters.handlerErrors.increment();
            REQUEST_LOG.log(Level.WARNING, "datagramReceived for a datagram from " + Addresses.format(datagram.sender()) + " threw", e);
        }
    }

    @Override
    public void send(ByteBuffer data, SocketAddress target) {
        if (!(target instanceof UnixAddress unix)) {
            LOG.log(Level.INFO, "client has no address to reply to; a reply of " + data.remaining() + " bytes was dropped");
            return;
        }
        try {
            int length = data.remaining();
            endpoint.send(data, unix);
            counters.bytesOut.add(length);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "send to " + unix + " failed: " + e);
        }
    }

    @Override
    public void close() {
        try {
            endpoint.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing " + this + " failed", e);
        }
        Thread r = receiver;
        if (r != null && r != Thread.currentThread()) {
            r.interrupt();   // it may wait for the loop to take what it handed over
            try {
                r.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        EventLoop l = loop;
        if (l != null) {
            l.execute(() -> {
                try {
                    protocol.connectionLost(null);
                } catch (RuntimeException e) {
                    REQUEST_LOG.log(Level.WARNING, "connectionLost threw", e);
                }
            });
        }
    }

    @Override
    public SocketAddress localAddress() {
        return endpoint.localAddress();
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
