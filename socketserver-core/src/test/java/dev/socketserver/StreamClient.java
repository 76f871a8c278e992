package dev.socketserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A TCP or Unix-stream test client whose every read has a timeout. The JDK gives Unix-stream
 * channels no socket adaptor (so no {@code setSoTimeout}); this client waits in a selector instead,
 * the same way for both transports.
 */
final class StreamClient implements TestServers.Client {
    /** How long a read waits before it throws {@link SocketTimeoutException}. */
    static final Duration READ_TIMEOUT = TestServers.DEADLINE;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int consumed;
    private boolean eof;

    private StreamClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        try {
            channel.configureBlocking(false);
            this.selector = Selector.open();
            this.key = channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Connects to a TCP or Unix-stream server; throws if the connection is refused. */
    static StreamClient connect(SocketAddress server) throws IOException {
        return new StreamClient(SocketChannel.open(server));
    }

    SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (buffer.hasRemaining()) {
            if (channel.write(buffer) == 0) {
                key.interestOps(SelectionKey.OP_WRITE);
                try {
                    if (!select(deadline)) {
                        throw new SocketTimeoutException("could not send within " + READ_TIMEOUT.toMillis() + " ms");
                    }
                } finally {
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
        }
    }

    /** Sends EOF to the server; reading stays possible. */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /** Everything up to EOF. */
    @Override
    public String receive() throws IOException {
        return readToEof();
    }

    /** The next line without its {@code \n}; {@code null} at EOF with nothing pending. */
    String readLine() throws IOException {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (true) {
            byte[] all = received.toByteArray();
            for (int i = consumed; i < all.length; i++) {
                if (all[i] == '\n') {
                    String line = new String(all, consumed, i - consumed, StandardCharsets.UTF_8);
                    consumed = i + 1;
                    return line;
                }
            }
            if (eof) {
                return consumed == all.length ? null : rest();
            }
            if (!fill(deadline)) {
                throw new SocketTimeoutException("no line within " + READ_TIMEOUT.toMillis() + " ms");
            }
        }
    }

    /** The bytes not yet read, up to EOF, as UTF-8. */
    String readToEof() throws IOException {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (!eof) {
            if (!fill(deadline)) {
                throw new SocketTimeoutException("no EOF within " + READ_TIMEOUT.toMillis() + " ms; got so far: " + peek());
            }
        }
        return rest();
    }

    /** Whether no byte and no EOF arrives within {@code wait}. */
    boolean staysSilentFor(Duration wait) throws IOException {
        if (eof || received.size() > consumed) {
            return false;
        }
        return !fill(System.nanoTime() + wait.toNanos());
    }

    /**
     * Whether the server ends the connection, by EOF or by a reset, within the read timeout. Bytes
     * that arrive before the end are kept for {@link #rest()}.
     */
    boolean endsWithinReadTimeout() throws IOException {
        try {
            readToEof();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** The bytes received and not yet read. */
    String rest() {
        String text = peek();
        consumed = received.size();
        return text;
    }

    private String peek() {
        byte[] all = received.toByteArray();
        return new String(all, consumed, all.length - consumed, StandardCharsets.UTF_8);
    }

    /** Reads what arrives before the deadline; false if nothing (no byte, no EOF) did. */
    private boolean fill(long deadline) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        while (true) {
            int n = channel.read(buffer);
            if (n > 0) {
                received.write(buffer.array(), 0, n);
                return true;
            }
            if (n < 0) {
                eof = true;
                return true;
            }
            if (!select(deadline)) {
                return false;
            }
        }
    }

    private boolean select(long deadline) throws IOException {
        long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (millis <= 0) {
            return false;
        }
        selector.selectedKeys().clear();
        selector.select(millis);
        return true;   // ready, or a spurious wakeup: the caller tries again and the deadline ends the wait
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
