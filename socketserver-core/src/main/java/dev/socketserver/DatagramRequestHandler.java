package dev.socketserver;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A handler for one datagram, with Python's {@code rfile} and {@code wfile}: {@link #rfile()} reads
 * the datagram, and what the handler writes to {@link #wfile()} goes back to the sender as one
 * datagram in {@link #finish()}.
 *
 * <p>As in Python, the reply is sent even when nothing was written (an empty datagram) and even
 * when {@code handle()} threw (what was written so far). A sender with no address (an unbound
 * Unix-datagram client) gets no reply, and one line says so in the log instead of an error.
 */
public abstract class DatagramRequestHandler extends BaseRequestHandler<Datagram> {
    private ByteArrayInputStream rfile;
    private ByteArrayOutputStream wfile;

    /** For subclasses. */
    protected DatagramRequestHandler() {
    }

    /** Opens {@link #rfile()} on the datagram and an empty {@link #wfile()}. Overriders call {@code super.setup()} first. */
    @Override
    protected void setup() throws Exception {
        rfile = new ByteArrayInputStream(request().data());
        wfile = new ByteArrayOutputStream();
    }

    /** Sends what was written to {@link #wfile()} to the sender. */
    @Override
    protected void finish() throws Exception {
        request().reply(wfile.toByteArray());
    }

    /** The datagram's bytes. */
    public final byte[] packet() {
        return request().data();
    }

    /** Reads the datagram. */
    public final InputStream rfile() {
        return rfile;
    }

    /** Collects the reply. */
    public final OutputStream wfile() {
        return wfile;
    }
}
