package dev.socketserver.internal;

import javax.net.ssl.SSLEngine;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What both families' TLS wrappers do alike with an {@link SSLEngine}: the event loop's TLS layer
 * and the blocking servers' {@link TlsConnection}. {@link TlsPolicy} decides what an engine may do
 * (protocols, renegotiation); this is the mechanics of driving one, and the words for a handshake
 * that fails, so that both families size their buffers, run the engine's tasks, read the
 * negotiated protocol and report a failed handshake the same way.
 *
 * <p>Stateless; any thread.
 */
public final class TlsEngineSupport {
    /**
     * The source of a wrap that only produces records of the engine's own (handshake messages,
     * close_notify). Empty, so never read from or written to: one serves every engine.
     */
    public static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    /** Why a handshake fails whose client closed the connection before it finished. */
    public static final String CLIENT_CLOSED = "the client closed the connection during the TLS handshake";

    private TlsEngineSupport() {
    }

    // ---- buffers ---------------------------------------------------------------------------------

    /**
     * The capacity to grow a buffer to when the engine finds it too small (an overflow, or a record
     * that does not fit): twice what it is, and at least the session's size for its kind
     * ({@code getPacketBufferSize()} for ciphertext, {@code getApplicationBufferSize()} for plaintext).
     */
    public static int grownCapacity(ByteBuffer buffer, int sessionSize) {
        return Math.max(sessionSize, buffer.capacity() * 2);
    }

    /**
     * A new buffer of {@code capacity} holding what {@code readable} has left (which it takes),
     * ready for more to be put in: the move that grows an engine's input buffer. The caller flips
     * it if it keeps its buffers in read mode.
     */
    public static ByteBuffer moveTo(ByteBuffer readable, int capacity) {
        return ByteBuffer.allocate(capacity).put(readable);
    }

    // ---- the handshake ---------------------------------------------------------------------------

    /**
     * The engine's delegated tasks (key exchange, certificate checks), all it has now. The blocking
     * servers run them where they are; the event loop in a virtual thread, off the loop.
     */
    public static List<Runnable> delegatedTasks(SSLEngine engine) {
        List<Runnable> tasks = new ArrayList<>();
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            tasks.add(task);
        }
        return tasks;
    }

    /** Runs the engine's delegated tasks in this thread, and any they leave behind. */
    public static void runDelegatedTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /** The protocol the handshake agreed by ALPN, or null if none was (the engine says "" for that). */
    public static String applicationProtocol(SSLEngine engine) {
        String protocol = engine.getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }

    // ---- a failed handshake ----------------------------------------------------------------------

    /** Why a handshake fails that did not finish within {@code deadline}. */
    public static String timeoutReason(Duration deadline) {
        return "TLS handshake did not finish within " + deadline.toMillis() + " ms";
    }

    /**
     * What ends a handshake that ran out of time, and is counted as a timeout as well as a failed
     * handshake. Not an {@code SSLException}: no alert is sent to a client that may not be
     * reading either.
     */
    public static SocketTimeoutException timedOut(Duration deadline) {
        return new SocketTimeoutException(timeoutReason(deadline));
    }

    /** The line logged (at {@code WARNING}, at most once a second) for a failed handshake with {@code client}. */
    public static String failureMessage(SocketAddress client, String why) {
        return "TLS handshake with " + Addresses.format(client) + " failed: " + why;
    }
}
