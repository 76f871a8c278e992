package dev.socketserver.internal;

import dev.socketserver.Connection;
import dev.socketserver.internal.linux.SocketDescriptors;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection accepted for a child process: the server holds only its descriptor, until the
 * child has it on stdin and stdout, and never reads or writes it.
 */
public final class SpawnedConnection implements Connection {
    private final SocketDescriptors.Accepted accepted;
    private final AtomicBoolean descriptorClosed = new AtomicBoolean();
    private volatile int pid;

    public SpawnedConnection(SocketDescriptors.Accepted accepted) {
        this.accepted = accepted;
    }

    public SocketDescriptors.Accepted accepted() {
        return accepted;
    }

    /** Records the child that now owns the socket. */
    public void handedTo(int pid) {
        this.pid = pid;
    }

    /** The child serving this connection, or 0 before it is spawned. */
    public int pid() {
        return pid;
    }

    private static UnsupportedOperationException servedByChild() {
        return new UnsupportedOperationException("this connection is served by a child process; the server does not read or write it");
    }

    @Override
    public InputStream in() {
        throw servedByChild();
    }

    @Override
    public OutputStream out() {
        throw servedByChild();
    }

    @Override
    public SocketAddress clientAddress() {
        return accepted.remote();
    }

    @Override
    public SocketAddress localAddress() {
        return accepted.local();
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        throw servedByChild();
    }

    @Override
    public Duration readTimeout() {
        return Duration.ZERO;
    }

    @Override
    public void setNoDelay(boolean on) {
    }

    /** Does nothing: the child decides when its output ends. */
    @Override
    public void shutdownOutput() {
    }

    @Override
    public boolean isOpen() {
        return !descriptorClosed.get();
    }

    /** Closes the server's copy of the socket, once; the child's copy stays open until the child ends. */
    @Override
    public void close() {
        if (descriptorClosed.compareAndSet(false, true)) {
            try {
                SocketDescriptors.close(accepted.fd());
            } catch (IOException e) {
                // already gone
            }
        }
    }

    @Override
    public String toString() {
        return "connection from " + Addresses.format(accepted.remote()) + (pid == 0 ? "" : " served by pid " + pid);
    }
}
