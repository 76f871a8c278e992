package dev.socketserver.junit;

import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What one client sent a {@link TestServer}: the bytes of one connection, in the order they
 * arrived, or one datagram. A connection's record grows while it is open; read it after the
 * exchange, or {@link #awaitEnd()} first when the client may still be sending.
 *
 * <p>On a stream server these are the bytes the server read: what the handler or protocol read,
 * and what had arrived unread when a blocking handler returned. Under TLS they are the plaintext.
 *
 * <p>Safe to read from any thread.
 */
public final class RecordedRequest {
    private final int sequence;
    private final SocketAddress clientAddress;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CountDownLatch ended = new CountDownLatch(1);

    RecordedRequest(int sequence, SocketAddress clientAddress) {
        this.sequence = sequence;
        this.clientAddress = clientAddress;
    }

    /** Where this request stands among the server's requests since the test began, from 0, in order of arrival. */
    public int sequence() {
        return sequence;
    }

    /** The client's address: an {@link java.net.InetSocketAddress}, or a Unix-domain address (empty for an unbound client). */
    public SocketAddress clientAddress() {
        return clientAddress;
    }

    /** A copy of the bytes received so far. */
    public byte[] bytes() {
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }

    /** {@link #bytes()} decoded as UTF-8. */
    public String text() {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** How many bytes were received so far. */
    public int size() {
        synchronized (bytes) {
            return bytes.size();
        }
    }

    /**
     * Whether the request is over: the connection closed (its handler returned, or its protocol's
     * {@code connectionLost} ran), or the datagram was handled. Its bytes no longer change.
     */
    public boolean isEnded() {
        return ended.getCount() == 0;
    }

    /** {@link #awaitEnd(Duration)} with {@link TestServer#DEFAULT_WAIT}. */
    public RecordedRequest awaitEnd() {
        return awaitEnd(TestServer.DEFAULT_WAIT);
    }

    /**
     * Waits until the request is {@linkplain #isEnded() over}, so that its bytes are complete.
     *
     * @return this request
     * @throws AssertionError if it is not over within {@code timeout}
     */
    public RecordedRequest awaitEnd(Duration timeout) {
        try {
            if (!ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError("request " + sequence + " from " + clientAddress + " did not end within "
                        + timeout.toMillis() + " ms; received so far: " + this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for request " + sequence + " to end", e);
        }
        return this;
    }

    void append(ByteBuffer data) {
        ByteBuffer view = data.duplicate();
        byte[] copy = new byte[view.remaining()];
        view.get(copy);
        append(copy, 0, copy.length);
    }

    void append(byte[] data, int offset, int length) {
        synchronized (bytes) {
            bytes.write(data, offset, length);
        }
    }

    void end() {
        ended.countDown();
    }

    /** {@code request 0 from /127.0.0.1:41234, 5 bytes, ended: "hello"}, the text cut at 200 characters with control characters escaped. */
    @Override
    public String toString() {
        String text = text();
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < text.length() && shown.length() < 200; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> shown.append("\\r");
                case '\n' -> shown.append("\\n");
                case '\t' -> shown.append("\\t");
                default -> shown.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
        }
        return "request " + sequence + " from " + clientAddress + ", " + size() + " bytes" + (isEnded() ? ", ended" : ", open")
                + ": \"" + shown + (shown.length() >= 200 ? "...\"" : "\"");
    }
}
