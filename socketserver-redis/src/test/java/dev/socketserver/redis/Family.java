package dev.socketserver.redis;

import dev.socketserver.Concurrency;
import redis.clients.jedis.Jedis;

import java.io.IOException;

/** The two families the conformance suite runs against: blocking handlers on virtual threads, and the event loop. */
enum Family {
    VIRTUAL_THREADS {
        @Override
        RedisServer.Builder builder() {
            return RedisServer.builder().concurrency(Concurrency.virtualThreads());
        }
    },
    EVENT_LOOP {
        @Override
        RedisServer.Builder builder() {
            return RedisServer.builder().eventLoop(2);
        }
    };

    abstract RedisServer.Builder builder();

    RedisServer start() throws IOException {
        return builder().start();
    }

    static Jedis client(RedisServer redis) {
        return new Jedis("127.0.0.1", redis.port(), 10_000);
    }
}
