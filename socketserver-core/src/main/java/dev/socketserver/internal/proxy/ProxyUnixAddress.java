package dev.socketserver.internal.proxy;

import java.io.Serial;
import java.net.SocketAddress;
import java.util.Arrays;

/**
 * An {@code AF_UNIX} address from a v2 header: the proxy's raw 108-byte {@code sun_path}, kept as
 * bytes because nothing promises they are text.
 *
 * <p>Three shapes come out of the same 108 bytes: a path (the first byte is not NUL; the path runs to
 * the first NUL), a name in Linux's abstract namespace (a NUL, then the name; trailing NULs are
 * dropped, since the fixed width cannot tell them from padding), or an unnamed socket (all NULs, as a
 * client that never bound sends).
 *
 * <p>Immutable: bytes are copied in and copied out.
 */
public final class ProxyUnixAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The width of each address in a v2 header, the size of Linux's {@code sun_path}. */
    public static final int LENGTH = 108;

    private final byte[] raw;

    /**
     * @param raw the {@value #LENGTH}-byte field as sent
     * @throws IllegalArgumentException if {@code raw} is not {@value #LENGTH} bytes
     */
    public ProxyUnixAddress(byte[] raw) {
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException("an AF_UNIX address in a PROXY header is " + LENGTH + " bytes, got " + raw.length);
        }
        this.raw = raw.clone();
    }

    /** A copy of the 108 bytes as sent. */
    public byte[] raw() {
        return raw.clone();
    }

    /** Whether every byte is NUL: the peer's socket had no name. */
    public boolean isUnnamed() {
        return lastNonNul() < 0;
    }

    /** Whether this names a socket in Linux's abstract namespace (a leading NUL, then a name). */
    public boolean isAbstract() {
        return raw[0] == 0 && !isUnnamed();
    }

    /**
     * The path's bytes (up to the first NUL), the abstract name's bytes (after the leading NUL, without
     * trailing NULs), or no bytes for an unnamed socket.
     */
    public byte[] name() {
        if (raw[0] != 0) {
            int end = 0;
            while (end < LENGTH && raw[end] != 0) {
                end++;
            }
            return Arrays.copyOfRange(raw, 0, end);
        }
        int last = lastNonNul();
        return last < 0 ? new byte[0] : Arrays.copyOfRange(raw, 1, last + 1);
    }

    private int lastNonNul() {
        for (int i = LENGTH - 1; i >= 0; i--) {
            if (raw[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyUnixAddress other && Arrays.equals(other.raw, raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    /**
     * The path, {@code @name} for an abstract name, or {@code (unnamed)}, with bytes outside printable
     * ASCII escaped as {@code \xNN}, so it is safe to log.
     */
    @Override
    public String toString() {
        if (isUnnamed()) {
            return "(unnamed)";
        }
        byte[] name = name();
        return (isAbstract() ? "@" : "") + Escaping.bytes(name, 0, name.length, LENGTH);
    }
}
