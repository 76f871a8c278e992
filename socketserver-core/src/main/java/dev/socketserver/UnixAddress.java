package dev.socketserver;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The address of a Unix-domain socket: a socket file's path, or a name in Linux's abstract
 * namespace ({@code @name}), which has no file and vanishes with the socket.
 *
 * <p>The JDK's {@link java.net.UnixDomainSocketAddress} holds paths only; this type holds both, and
 * is what {@link UnixDatagramServer} and {@link UnixDatagramSocket} use. Both kinds are limited to
 * 107 bytes (the kernel's {@code sun_path} is 108 bytes with its terminator), checked here, before
 * any system call.
 */
public final class UnixAddress extends SocketAddress {
    /** The longest path or abstract name the kernel accepts, in bytes. */
    public static final int MAX_LENGTH = 107;

    /** The path, or the abstract name without its {@code @}. */
    private final String name;
    /** Whether {@link #name} is in the abstract namespace. */
    private final boolean isAbstract;

    private UnixAddress(String name, boolean isAbstract) {
        this.name = name;
        this.isAbstract = isAbstract;
        int length = name.getBytes(StandardCharsets.UTF_8).length;
        if (length == 0) {
            throw new IllegalArgumentException("a Unix socket address needs a path or an abstract name; got an empty one");
        }
        if (length > MAX_LENGTH) {
            throw new IllegalArgumentException("Unix socket " + (isAbstract ? "abstract name" : "path") + " is " + length
                    + " bytes, over the limit of " + MAX_LENGTH + ": " + this);
        }
    }

    /** The socket file at {@code path}. */
    public static UnixAddress of(Path path) {
        return new UnixAddress(Objects.requireNonNull(path, "path").toString(), false);
    }

    /** The name {@code name} in the abstract namespace (written {@code @name}; the {@code @} is not part of the name). */
    public static UnixAddress ofAbstract(String name) {
        return new UnixAddress(Objects.requireNonNull(name, "name"), true);
    }

    /** Reads {@code @name} as an abstract address and anything else as a path. */
    public static UnixAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        return text.startsWith("@") ? ofAbstract(text.substring(1)) : of(Path.of(text));
    }

    /** Whether this is a name in the abstract namespace rather than a file. */
    public boolean isAbstract() {
        return isAbstract;
    }

    /**
     * The socket file's path.
     *
     * @throws IllegalStateException for an abstract address, which has no file
     */
    public Path path() {
        if (isAbstract) {
            throw new IllegalStateException("abstract address " + this + " has no path");
        }
        return Path.of(name);
    }

    /** The path as text, or the abstract name without its {@code @}. */
    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnixAddress other && other.isAbstract == isAbstract && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + (isAbstract ? 1 : 0);
    }

    /** The path, or {@code @name} for an abstract address. */
    @Override
    public String toString() {
        return isAbstract ? "@" + name : name;
    }
}
