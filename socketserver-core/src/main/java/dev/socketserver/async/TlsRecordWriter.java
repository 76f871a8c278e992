package dev.socketserver.async;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;

/**
 * Sends a {@link TlsLayer}'s records to the socket. Records are encrypted into the loop's shared
 * buffer and written from there at once; only what the socket does not take is kept here (about
 * one record at most), until it is writable again. While anything is kept, the layer encrypts
 * nothing more. Loop thread only.
 */
final class TlsRecordWriter {
    private final StreamConnection connection;
    private final ConnectionSocket channel;
    private ByteBuffer backlog;         // ciphertext the socket did not take yet; read mode; null when there is none

    TlsRecordWriter(StreamConnection connection, ConnectionSocket channel) {
        this.connection = connection;
        this.channel = channel;
    }

    /** Whether all ciphertext has gone to the socket. */
    boolean isIdle() {
        return backlog == null;
    }

    /** Writes ciphertext to the socket, keeping what it does not take. Returns whether it took all. */
    boolean send(ByteBuffer net) {
        if (!net.hasRemaining()) {
            return true;
        }
        if (backlog != null) {
            backlog = ByteBuffer.allocate(backlog.remaining() + net.remaining()).put(backlog).put(net).flip();
            return false;
        }
        try {
            connection.wroteBytes(channel.write(net));
        } catch (IOException e) {
            connection.closeNow(e, true);
            return false;
        }
        if (!net.hasRemaining()) {
            return true;
        }
        backlog = ByteBuffer.allocate(net.remaining()).put(net).flip();
        connection.setInterest(SelectionKey.OP_WRITE, true);
        return false;
    }

    /** Sends the ciphertext the socket did not take before. Returns whether all of it went. */
    boolean flush() {
        if (backlog == null) {
            return true;
        }
        try {
            connection.wroteBytes(channel.write(backlog));
        } catch (IOException e) {
            connection.closeNow(e, true);
            return false;
        }
        if (backlog.hasRemaining()) {
            return false;
        }
        backlog = null;
        return true;
    }
}
