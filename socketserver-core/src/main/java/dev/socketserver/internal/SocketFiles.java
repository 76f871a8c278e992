package dev.socketserver.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Socket-file hygiene for Unix stream servers: what to do with a file already at the path. */
public final class SocketFiles {
    private SocketFiles() {
    }

    /**
     * Makes {@code path} free for a bind: removes a stale socket file (one nobody listens on), and
     * refuses a live server's socket or a file that is not a socket, with a {@link BindException}.
     */
    public static void prepareStreamBind(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(path)) {
            throw new BindException("unix:" + path + ": the path exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new BindException("unix:" + path + ": address in use by a live server");
        } catch (ConnectException stale) {
            Files.deleteIfExists(path);   // nobody listens: a dead server left it
        }
    }

    /** Binds a socket to a path; {@link #bindWithPermissions} calls it with a private staging path. */
    public interface Binder {
        void bind(UnixDomainSocketAddress address) throws IOException;
    }

    /**
     * Binds a stream socket at {@code target} with permission bits {@code bits} in place before any
     * client can connect: the socket is bound in a private directory beside the target, given its
     * bits there, and renamed into place. The caller then listens; clients connect by the target's
     * path, so the listening socket need not know it moved.
     */
    public static void bindWithPermissions(Path target, Set<PosixFilePermission> bits, Binder binder) throws IOException {
        prepareStreamBind(target);
        Path parent = target.toAbsolutePath().getParent();
        Path staging = Files.createTempDirectory(parent, ".ss", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = staging.resolve("s");
        try {
            binder.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, bits);
            Files.move(socket, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(staging);
        }
    }

    /** Whether {@code path} is a socket file (not following links). */
    public static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == 0140000;
    }
}
