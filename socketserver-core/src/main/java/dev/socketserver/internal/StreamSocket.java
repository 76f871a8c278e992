package dev.socketserver.internal;

import java.io.IOException;
import java.time.Duration;

/**
 * The socket under a {@link ChannelConnection}: blocking reads and writes and the few controls a
 * connection needs. Two kinds: a JDK channel ({@link JdkStreamSocket}), and a descriptor the
 * library owns and waits for through its own poller ({@link PolledSocket}).
 */
interface StreamSocket {
    /** Blocks until at least one byte is read; -1 at the end of the stream. Throws {@link java.net.SocketTimeoutException} after the read timeout. */
    int read(byte[] b, int off, int len) throws IOException;

    /** Bytes that can be read without blocking. */
    int available() throws IOException;

    /** Writes all of the bytes, blocking while the socket has no room. */
    void write(byte[] b, int off, int len) throws IOException;

    /** Zero: no limit. */
    void setReadTimeout(Duration timeout);

    /** {@code TCP_NODELAY}; nothing on a Unix socket. */
    void setNoDelay(boolean on) throws IOException;

    /** Ends the input: a read under way, and every later one, returns the end of the stream. */
    void shutdownInput() throws IOException;

    void shutdownOutput() throws IOException;

    boolean isOpen();

    /** Closes the socket; a read or write under way in another thread fails. */
    void close();
}
