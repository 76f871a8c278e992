package dev.socketserver.async;

import dev.socketserver.ProxyInfo;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyProtocolException;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A {@link StreamConnection}'s first stage with the PROXY protocol on: from its opening until its
 * header has been read, every read goes to a {@link ProxyHeaderReader}, within the admission's
 * header deadline. A header that is refused, truncated or late is counted and logged as the
 * {@link ProxyAdmission} says, and closes the connection. Loop thread only.
 */
final class ProxyHeaderStage {
    private final StreamConnection connection;
    private final ProxyAdmission admission;
    private final SocketAddress peer;           // the load balancer
    private final ProxyHeaderReader reader = new ProxyHeaderReader();
    private final EventLoop.Timer deadline;
    private boolean read;                       // the header is complete

    /** Starts awaiting the header of {@code connection}, from {@code peer}, which the admission admitted. */
    ProxyHeaderStage(StreamConnection connection, EventLoop loop, ProxyAdmission admission, SocketAddress peer) {
        this.connection = connection;
        this.admission = admission;
        this.peer = peer;
        this.deadline = loop.schedule(admission.headerDeadline(), () -> {
            if (!read && !connection.isClosed()) {
                admission.timedOut(peer);
                connection.closeNow(null, false);
            }
        });
    }

    /**
     * Feeds a read to the header reader. Returns what the header says once it is complete, with
     * {@code data} positioned after it; null while more is needed, or if the header was refused
     * (the connection is then closed).
     */
    ProxyInfo offer(ByteBuffer data) {
        ProxyHeader header;
        try {
            header = reader.offer(data);
        } catch (ProxyProtocolException e) {
            reject(e);
            return null;
        }
        if (header == null) {
            return null;
        }
        read = true;
        deadline.cancel();
        return admission.admitted(peer, header);
    }

    /** Reading the socket failed before the header was complete: counted as "io", as on the blocking servers. The caller closes. */
    void readFailed(IOException failure) {
        admission.rejected(peer, failure);
    }

    /** The stream ended before the header was complete: a truncated header, refused. */
    void endOfStream() {
        reject(ProxyProtocolException.endedAfter(reader.heldBytes(), "the stream ended after "
                + reader.heldBytes() + " byte(s) of it"));
    }

    /** The header could not be read: counted and logged as the admission says, and the connection closed. */
    private void reject(IOException failure) {
        admission.rejected(peer, failure);
        connection.closeNow(null, false);
    }
}
