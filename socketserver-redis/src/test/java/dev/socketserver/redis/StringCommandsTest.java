package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class StringCommandsTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void setAndGetWithTheirOptions(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.get("missing")).isNull();
            assertThat(jedis.set("k", "v1")).isEqualTo("OK");
            assertThat(jedis.get("k")).isEqualTo("v1");
            assertThat(jedis.set("k", "v2", SetParams.setParams().nx())).isNull();
            assertThat(jedis.set("other", "x", SetParams.setParams().xx())).isNull();
            assertThat(jedis.set("k", "v3", SetParams.setParams().xx())).isEqualTo("OK");
            assertThat(jedis.setGet("k", "v4")).isEqualTo("v3");
            assertThat(jedis.getSet("k", "v5")).isEqualTo("v4");
            assertThat(jedis.get("k")).isEqualTo("v5");
            assertThat(jedis.set("t", "v", SetParams.setParams().ex(100))).isEqualTo("OK");
            assertThat(jedis.ttl("t")).isBetween(99L, 100L);
            assertThat(jedis.set("t", "w", SetParams.setParams().keepTtl())).isEqualTo("OK");
            assertThat(jedis.ttl("t")).isBetween(99L, 100L);
            assertThat(jedis.set("t", "w")).isEqualTo("OK");
            assertThat(jedis.ttl("t")).isEqualTo(-1);
            assertThatThrownBy(() -> jedis.set("k", "v", SetParams.setParams().ex(0)))
                    .isInstanceOf(JedisDataException.class).hasMessage("ERR invalid expire time in 'set' command");
            assertThatThrownBy(() -> jedis.sendCommand(Command.SET, "k", "v", "NX", "XX"))
                    .hasMessage("ERR syntax error");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void countersAnswerIntegersAndRefuseWhatIsNotOne(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.incr("n")).isEqualTo(1);
            assertThat(jedis.incrBy("n", 10)).isEqualTo(11);
            assertThat(jedis.decr("n")).isEqualTo(10);
            assertThat(jedis.decrBy("n", 20)).isEqualTo(-10);
            assertThat(jedis.get("n")).isEqualTo("-10");
            jedis.set("s", "abc");
            assertThatThrownBy(() -> jedis.incr("s")).hasMessage("ERR value is not an integer or out of range");
            assertThatThrownBy(() -> jedis.sendCommand(Command.INCRBY, "n", "1.5"))
                    .hasMessage("ERR value is not an integer or out of range");
            jedis.set("max", Long.toString(Long.MAX_VALUE));
            assertThatThrownBy(() -> jedis.incr("max")).hasMessage("ERR increment or decrement would overflow");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void appendStrlenMsetMget(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.append("a", "Hello")).isEqualTo(5);
            assertThat(jedis.append("a", " World")).isEqualTo(11);
            assertThat(jedis.get("a")).isEqualTo("Hello World");
            assertThat(jedis.strlen("a")).isEqualTo(11);
            assertThat(jedis.strlen("missing")).isZero();
            assertThat(jedis.mset("x", "1", "y", "2")).isEqualTo("OK");
            jedis.lpush("list", "e");
            assertThat(jedis.mget("x", "missing", "y", "list")).containsExactly("1", null, "2", null);
            assertThatThrownBy(() -> jedis.sendCommand(Command.MSET, "x", "1", "y"))
                    .hasMessage("ERR wrong number of arguments for 'mset' command");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void valuesAreBinarySafeFromEmptyToOneMebibyte(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            byte[] empty = new byte[0];
            byte[] large = new byte[1 << 20];
            new Random(42).nextBytes(large);
            byte[] key = {0, '\r', '\n', (byte) 0xff, ' '};
            assertThat(jedis.set(key, empty)).isEqualTo("OK");
            assertThat(jedis.get(key)).isEmpty();
            assertThat(jedis.set(key, large)).isEqualTo("OK");
            assertThat(Arrays.equals(jedis.get(key), large)).isTrue();
            assertThat(jedis.strlen(key)).isEqualTo(1 << 20);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void wrongTypeIsRefusedWithRedisWords(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            jedis.lpush("list", "a");
            String wrongType = "WRONGTYPE Operation against a key holding the wrong kind of value";
            assertThatThrownBy(() -> jedis.get("list")).hasMessage(wrongType);
            assertThatThrownBy(() -> jedis.append("list", "x")).hasMessage(wrongType);
            assertThatThrownBy(() -> jedis.sadd("list", "x")).hasMessage(wrongType);
            assertThatThrownBy(() -> jedis.hget("list", "x")).hasMessage(wrongType);
            assertThatThrownBy(() -> jedis.zcard("list")).hasMessage(wrongType);
            jedis.set("s", "v");
            assertThatThrownBy(() -> jedis.lpush("s", "x")).hasMessage(wrongType);
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }
}
