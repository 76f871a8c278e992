package dev.socketserver.cli;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** {@code --socket-mode} values: an octal mode such as {@code 660}, as {@code chmod} takes it. */
final class SocketFileModes {
    /** The bits from the lowest (others' execute) to the highest (owner's read), as octal digits order them. */
    private static final PosixFilePermission[] BITS = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private SocketFileModes() {
    }

    /**
     * The permissions of an octal mode of one to three digits, with an optional leading 0
     * ({@code 600}, {@code 0660}); set-id and sticky bits are not taken.
     *
     * @throws IllegalArgumentException with a one-line message if the text is not such a mode
     */
    static Set<PosixFilePermission> parse(String mode) {
        if (!mode.matches("0?[0-7]{1,3}")) {
            throw new IllegalArgumentException("--socket-mode takes an octal mode from 000 to 777, such as 660; got '" + mode + "'");
        }
        int bits = Integer.parseInt(mode, 8);
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((bits & (1 << i)) != 0) {
                permissions.add(BITS[i]);
            }
        }
        return permissions;
    }
}
