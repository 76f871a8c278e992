package dev.socketserver.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Driver} for UDP: each client is its own connected {@link DatagramChannel} (its own
 * port, as separate clients would be), with {@code pipeline} datagrams in flight. A datagram whose
 * echo has not come back after {@value #LOSS_TIMEOUT_MILLIS} ms is counted as lost and replaced.
 */
final class DatagramDriver extends Driver {
    static final long LOSS_TIMEOUT_MILLIS = 1_000;
    private static final long LOSS_TIMEOUT_NANOS = LOSS_TIMEOUT_MILLIS * 1_000_000;
    private static final long SCAN_NANOS = 100_000_000;
    private static final int READS_PER_WAKEUP = 32;

    private final List<Client> clients = new ArrayList<>();
    private final ByteBuffer payloadPattern;
    private int next;
    private long lastScan;

    private record Client(EchoDatagrams echo, DatagramChannel channel) {
    }

    DatagramDriver(LoadOptions options, SocketAddress address, int[] ids, Shared shared) throws IOException {
        super(options, address, ids, new MessagePattern(options.size() - EchoDatagrams.HEADER), shared);
        this.payloadPattern = pattern;
    }

    @Override
    void connectSome(long now) {
        // opening a UDP socket sends nothing, so there is no need to go slowly; a few per pass keeps the loop lively
        for (int i = 0; i < StreamDriver.MAX_PENDING_CONNECTS && next < ids.length; i++, next++) {
            int id = ids[next];
            DatagramChannel channel = null;
            try {
                channel = DatagramChannel.open(((InetSocketAddress) address).getAddress() instanceof java.net.Inet4Address
                        ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                channel.configureBlocking(false);
                channel.connect(address);
                var client = new Client(new EchoDatagrams(id, options.size(), options.pipeline()), channel);
                channel.register(selector, SelectionKey.OP_READ, client);
                clients.add(client);
                opened();
            } catch (IOException e) {
                if (channel != null) {
                    close(channel);
                }
                gaveUp("UDP client " + id + " could not open a socket to " + options.target() + ": " + e);
            }
        }
    }

    @Override
    void giveUpConnecting() {
        while (next < ids.length) {
            gaveUp("UDP client " + ids[next++] + " was not open when the connect phase ended");
        }
    }

    @Override
    void startTraffic(long now) throws IOException {
        lastScan = now;
        for (Client c : clients) {
            for (int slot = 0; slot < c.echo().slots(); slot++) {
                send(c, slot, now);
            }
        }
    }

    private void send(Client c, int slot, long now) {
        c.echo().fill(slot, writeBuffer, payloadPattern, now);
        try {
            c.channel().write(writeBuffer);   // 0 with a full send buffer: the datagram will count as lost
        } catch (PortUnreachableException e) {
            error("UDP client " + c.echo().id + ": nothing listens on " + options.target());
        } catch (IOException e) {
            error("UDP client " + c.echo().id + ": " + e);
        }
    }

    @Override
    void ready(SelectionKey key) {
        Client c = (Client) key.attachment();
        for (int i = 0; i < READS_PER_WAKEUP; i++) {
            int n;
            readBuffer.clear();
            try {
                n = c.channel().read(readBuffer);
            } catch (PortUnreachableException e) {
                error("UDP client " + c.echo().id + ": nothing listens on " + options.target());
                return;
            } catch (IOException e) {
                error("UDP client " + c.echo().id + ": " + e);
                return;
            }
            if (n <= 0) {
                return;
            }
            long now = System.nanoTime();
            readBuffer.flip();
            EchoDatagrams echo = c.echo();
            long before = echo.mismatches();
            int slot = echo.received(readBuffer, payloadPattern, now, latencies);
            if (echo.mismatches() != before) {
                errors(echo.mismatches() - before, before == 0 ? "echo mismatch: " + echo.firstMismatch() : null);
            }
            if (slot >= 0 && running()) {
                send(c, slot, now);
            }
        }
    }

    @Override
    void tick(long now) {
        if (now - lastScan < SCAN_NANOS || !running()) {
            return;
        }
        lastScan = now;
        for (Client c : clients) {
            for (int slot = 0; slot < c.echo().slots(); slot++) {
                if (c.echo().expire(slot, now, LOSS_TIMEOUT_NANOS)) {
                    lostDatagram();
                    send(c, slot, now);
                }
            }
        }
    }

    @Override
    void closeAll() {
        for (Client c : clients) {
            close(c.channel());
        }
    }

    private static void close(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
