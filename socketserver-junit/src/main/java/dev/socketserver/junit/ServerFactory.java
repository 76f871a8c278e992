package dev.socketserver.junit;

import dev.socketserver.Server;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds the server of a {@link TestServer#of(ServerFactory) TestServer.of(...)}: any server, with
 * any handler shape, concurrency and options, bound where the test likes (usually
 * {@link TestServer#loopback()}).
 */
@FunctionalInterface
public interface ServerFactory {
    /**
     * Builds (and so binds) the server; the kit starts it.
     *
     * @param directory a new, empty temporary directory for socket files, deleted when the server closes
     */
    Server create(Path directory) throws IOException;
}
