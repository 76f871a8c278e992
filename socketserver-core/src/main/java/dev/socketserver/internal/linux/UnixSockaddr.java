package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Unix socket addresses ({@code sockaddr_un}) and file modes, in the form the C calls take. */
final class UnixSockaddr {
    private UnixSockaddr() {
    }

    /** Writes {@code address} as a {@code sockaddr_un}; returns its length (an abstract name without a terminator). */
    static int encode(UnixAddress address, MemorySegment sockaddr) {
        sockaddr.fill((byte) 0);
        sockaddr.set(ValueLayout.JAVA_SHORT, 0, (short) LibCSockets.AF_UNIX);
        byte[] name = address.name().getBytes(StandardCharsets.UTF_8);
        int offset = LibCSockets.SUN_PATH_OFFSET + (address.isAbstract() ? 1 : 0);
        MemorySegment.copy(name, 0, sockaddr, ValueLayout.JAVA_BYTE, offset, name.length);
        // a path carries its terminator; an abstract name is exactly its bytes
        return offset + name.length + (address.isAbstract() ? 0 : 1);
    }

    /** A {@code sockaddr_un} of {@code length} bytes as an address: a path, an abstract name, or null for an unnamed socket. */
    static UnixAddress decode(MemorySegment sockaddr, int length) {
        if (length <= LibCSockets.SUN_PATH_OFFSET) {
            return null;   // unnamed
        }
        if (sockaddr.get(ValueLayout.JAVA_BYTE, LibCSockets.SUN_PATH_OFFSET) == 0) {
            byte[] name = sockaddr.asSlice(LibCSockets.SUN_PATH_OFFSET + 1, length - LibCSockets.SUN_PATH_OFFSET - 1).toArray(ValueLayout.JAVA_BYTE);
            return UnixAddress.ofAbstract(new String(name, StandardCharsets.UTF_8));
        }
        int end = LibCSockets.SUN_PATH_OFFSET;
        while (end < length && sockaddr.get(ValueLayout.JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] path = sockaddr.asSlice(LibCSockets.SUN_PATH_OFFSET, end - LibCSockets.SUN_PATH_OFFSET).toArray(ValueLayout.JAVA_BYTE);
        return UnixAddress.of(Path.of(new String(path, StandardCharsets.UTF_8)));
    }

    /** The permission bits of a file mode, as {@code fchmod} takes them. */
    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }
}
