/**
 * A Redis-compatible in-memory server on socketserver: RESP2, one command engine, served by a
 * blocking handler under any thread model and by the event loop. The API is
 * {@link dev.socketserver.redis.RedisServer}; {@code dev.socketserver.redis.internal} is not exported.
 */
module dev.socketserver.redis {
    requires transitive dev.socketserver;

    exports dev.socketserver.redis;
}
