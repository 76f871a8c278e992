package dev.socketserver.junit;

import dev.socketserver.Server;
import dev.socketserver.ServerOptions;
import dev.socketserver.redis.RedisServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The one place the kit names {@code socketserver-redis}, an optional dependency: the JVM loads
 * this class only for {@link TestServer#redis()}, so a test without the module never needs it.
 */
final class RedisKit {
    private RedisKit() {
    }

    static boolean available() {
        try {
            Class.forName("dev.socketserver.redis.RedisServer", false, RedisKit.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** A bound, not yet serving Redis server; closing it stops its expiry sweep too. */
    static AutoCloseable build(InetSocketAddress address, ServerOptions options) throws IOException {
        return RedisServer.builder().listen(address).options(options).build();
    }

    static Server serverOf(AutoCloseable redis) {
        return ((RedisServer) redis).server();
    }
}
