/**
 * A Redis-compatible server: {@link dev.socketserver.redis.RedisServer}, in-process for tests of
 * Redis clients, or as {@code socketserver redis} on the command line. It speaks RESP2 (multibulk
 * and inline requests), keeps one in-memory database with expiry, and is served by socketserver's
 * blocking handlers or its event loop from one command engine.
 *
 * <p>What it is not: there is no persistence (RDB, AOF), no replication or cluster, no pub/sub,
 * transactions or scripts, and one database only.
 */
package dev.socketserver.redis;
