package dev.socketserver;

import dev.socketserver.internal.DatagramReplier;
import dev.socketserver.internal.Loggers;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One received datagram: its bytes, who sent it, and a way to answer. This is the request of a
 * datagram server, as the pair {@code (data, socket)} is in Python.
 *
 * <p>Replies leave through the server's own socket, so the sender sees them come from the address
 * it wrote to. A datagram is safe to reply to from any thread.
 */
public final class Datagram {
    private final byte[] data;
    private final SocketAddress sender;
    private final boolean truncated;
    private final DatagramReplier replier;

    Datagram(byte[] data, SocketAddress sender, boolean truncated, DatagramReplier replier) {
        this.data = data;
        this.sender = sender;
        this.truncated = truncated;
        this.replier = replier;
    }

    /**
     * The datagram's bytes. The array belongs to this request alone; it is not copied on each call,
     * so changes to it are visible to later callers.
     */
    public byte[] data() {
        return data;
    }

    /**
     * The sender's address, or {@code null} for a sender that has no address to reply to (an
     * unbound Unix-datagram client).
     */
    public SocketAddress sender() {
        return sender;
    }

    /**
     * Whether the datagram was longer than the server's maximum packet size and lost its tail.
     * {@link #data()} then holds exactly the first {@code maxPacketSize} bytes.
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Sends {@code reply} to the sender as one datagram (possibly empty). A sender with no address
     * (an unbound Unix-datagram client) cannot be answered: the reply is dropped and one line is
     * logged, "client has no address to reply to".
     *
     * @throws IOException if the send fails
     */
    public void reply(byte[] reply) throws IOException {
        reply(ByteBuffer.wrap(Objects.requireNonNull(reply, "reply")));
    }

    /** Sends the remaining bytes of {@code reply} to the sender as one datagram. */
    public void reply(ByteBuffer reply) throws IOException {
        Objects.requireNonNull(reply, "reply");
        if (sender == null) {
            System.getLogger(Loggers.SERVER).log(System.Logger.Level.INFO,
                    "client has no address to reply to; a reply of " + reply.remaining() + " bytes was dropped");
            return;
        }
        replier.send(reply, sender);
    }

    @Override
    public String toString() {
        return "Datagram[" + data.length + " bytes from " + sender + (truncated ? ", truncated" : "") + "]";
    }
}
