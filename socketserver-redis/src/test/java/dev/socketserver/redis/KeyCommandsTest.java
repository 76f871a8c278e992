package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.params.SetParams;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class KeyCommandsTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void delExistsKeysDbsizeFlush(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            jedis.mset("user:1", "a", "user:2", "b", "user:10", "c", "other", "d");
            assertThat(jedis.exists("user:1", "user:1", "missing")).isEqualTo(2);
            assertThat(jedis.keys("user:?")).containsExactlyInAnyOrder("user:1", "user:2");
            assertThat(jedis.keys("user:*")).containsExactlyInAnyOrder("user:1", "user:2", "user:10");
            assertThat(jedis.keys("user:[^1]")).containsExactly("user:2");
            assertThat(jedis.keys("*")).hasSize(4);
            assertThat(jedis.dbSize()).isEqualTo(4);
            assertThat(jedis.del("user:1", "user:2", "missing")).isEqualTo(2);
            assertThat(jedis.type("other")).isEqualTo("string");
            assertThat(jedis.type("missing")).isEqualTo("none");
            assertThat(jedis.flushDB()).isEqualTo("OK");
            assertThat(jedis.dbSize()).isZero();
            jedis.set("a", "b");
            assertThat(jedis.flushAll()).isEqualTo("OK");
            assertThat(redis.dbSize()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void expireTtlPersist(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.ttl("missing")).isEqualTo(-2);
            assertThat(jedis.pttl("missing")).isEqualTo(-2);
            assertThat(jedis.expire("missing", 10)).isZero();
            jedis.set("k", "v");
            assertThat(jedis.ttl("k")).isEqualTo(-1);
            assertThat(jedis.expire("k", 100)).isEqualTo(1);
            assertThat(jedis.ttl("k")).isBetween(99L, 100L);
            assertThat(jedis.pexpire("k", 50_000)).isEqualTo(1);
            assertThat(jedis.pttl("k")).isBetween(49_000L, 50_000L);
            assertThat(jedis.persist("k")).isEqualTo(1);
            assertThat(jedis.persist("k")).isZero();
            assertThat(jedis.ttl("k")).isEqualTo(-1);
            assertThat(jedis.expire("k", 0)).isEqualTo(1);
            assertThat(jedis.exists("k")).isFalse();
            assertThatThrownBy(() -> jedis.sendCommand(Command.EXPIRE, "k", "soon"))
                    .hasMessage("ERR value is not an integer or out of range");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void keysExpireOnAccessAndInTheSweep(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            jedis.set("soon", "v", SetParams.setParams().px(30));
            awaitTrue(() -> jedis.get("soon") == null);
            for (int i = 0; i < 100; i++) {
                jedis.set("swept:" + i, "v", SetParams.setParams().px(20));
            }
            jedis.set("kept", "v");
            // DBSIZE looks no key up, so only the sweep brings it down
            awaitTrue(() -> jedis.dbSize() == 1);
            assertThat(jedis.get("kept")).isEqualTo("v");
        }
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(5);   // the pause between polls of a condition with a deadline
        }
    }
}
