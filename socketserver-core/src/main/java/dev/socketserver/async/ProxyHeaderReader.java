package dev.socketserver.async;

import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.proxy.ProxyHeader;
import dev.socketserver.internal.proxy.ProxyHeaderParser;
import dev.socketserver.internal.proxy.ProxyProtocolException;

import java.nio.ByteBuffer;

/**
 * Collects one connection's PROXY protocol header from the reads of its event loop. The common
 * case, a header that arrives whole in the first read, is parsed where it lies, with no copy; a
 * header split across reads is held here, never more than {@value #MAX_HEADER} bytes, which is
 * always enough for the parser's verdict. Loop thread only.
 */
final class ProxyHeaderReader {
    private static final int MAX_HEADER = ProxyAdmission.MAX_HEADER;
    private static final ProxyHeaderParser PARSER = ProxyAdmission.PARSER;

    private byte[] held;    // the start of a header split across reads; null until one is
    private int heldLength;

    /**
     * Takes header bytes from {@code data}. Once the header is complete, returns it with
     * {@code data} positioned at the first byte after it (the application's, if any); until then
     * returns null, having taken all of {@code data}.
     *
     * @throws ProxyProtocolException if the bytes so far cannot begin a valid header
     */
    ProxyHeader offer(ByteBuffer data) throws ProxyProtocolException {
        if (held == null) {
            ProxyHeaderParser.Result result = PARSER.parse(data);
            if (result instanceof ProxyHeaderParser.Complete complete) {
                return complete.header();
            }
            held = new byte[Math.min(MAX_HEADER, Math.max(128, data.remaining() * 2))];
        }
        int take = Math.min(data.remaining(), MAX_HEADER - heldLength);
        if (heldLength + take > held.length) {
            held = java.util.Arrays.copyOf(held, Math.min(MAX_HEADER, Math.max(held.length * 2, heldLength + take)));
        }
        data.get(data.position(), held, heldLength, take);
        int before = heldLength;
        heldLength += take;
        ProxyHeaderParser.Result result = PARSER.parse(held, 0, heldLength);
        if (result instanceof ProxyHeaderParser.Complete complete) {
            data.position(data.position() + complete.consumed() - before);
            held = null;
            return complete.header();
        }
        data.position(data.position() + take);
        if (heldLength >= MAX_HEADER) {   // the parser decides within MAX_HEADER bytes; this is a guard, not a path
            throw new ProxyProtocolException(ProxyProtocolException.Reason.TOO_LONG, "no verdict within " + MAX_HEADER + " bytes");
        }
        return null;
    }

    /** How many bytes of an incomplete header are held. */
    int heldBytes() {
        return held == null ? 0 : heldLength;
    }
}
