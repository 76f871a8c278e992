package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.resps.Tuple;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class CollectionCommandsTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void lists(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.rpush("l", "b", "c")).isEqualTo(2);
            assertThat(jedis.lpush("l", "a", "z")).isEqualTo(4);
            assertThat(jedis.lrange("l", 0, -1)).containsExactly("z", "a", "b", "c");
            assertThat(jedis.lrange("l", -2, 100)).containsExactly("b", "c");
            assertThat(jedis.lrange("l", 3, 1)).isEmpty();
            assertThat(jedis.lrange("missing", 0, -1)).isEmpty();
            assertThat(jedis.llen("l")).isEqualTo(4);
            assertThat(jedis.lpop("l")).isEqualTo("z");
            assertThat(jedis.rpop("l")).isEqualTo("c");
            assertThat(jedis.lpop("l", 5)).containsExactly("a", "b");
            assertThat(jedis.exists("l")).as("an emptied list is removed").isFalse();
            assertThat(jedis.lpop("l")).isNull();
            assertThat(jedis.rpop("l", 2)).isNull();
            assertThat(jedis.llen("l")).isZero();
            jedis.rpush("l", "1", "2", "3");
            assertThat(jedis.rpop("l", 2)).containsExactly("3", "2");
            assertThatThrownBy(() -> jedis.sendCommand(Command.LPOP, "l", "-1")).hasMessage("ERR value is out of range, must be positive");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void sets(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.sadd("s", "a", "b", "a")).isEqualTo(2);
            assertThat(jedis.sadd("s", "c")).isEqualTo(1);
            assertThat(jedis.smembers("s")).containsExactlyInAnyOrder("a", "b", "c");
            assertThat(jedis.sismember("s", "a")).isTrue();
            assertThat(jedis.sismember("s", "x")).isFalse();
            assertThat(jedis.scard("s")).isEqualTo(3);
            assertThat(jedis.srem("s", "a", "x")).isEqualTo(1);
            String popped = jedis.spop("s");
            assertThat(popped).isIn("b", "c");
            assertThat(jedis.spop("s", 5)).containsExactly(popped.equals("b") ? "c" : "b");
            assertThat(jedis.exists("s")).isFalse();
            assertThat(jedis.spop("s")).isNull();
            assertThat(jedis.smembers("s")).isEmpty();
            assertThat(jedis.scard("s")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void hashes(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.hset("h", "f1", "v1")).isEqualTo(1);
            assertThat(jedis.hset("h", Map.of("f1", "w1", "f2", "v2"))).isEqualTo(1);
            assertThat(jedis.hget("h", "f1")).isEqualTo("w1");
            assertThat(jedis.hget("h", "nope")).isNull();
            assertThat(jedis.hgetAll("h")).isEqualTo(Map.of("f1", "w1", "f2", "v2"));
            assertThat(jedis.hlen("h")).isEqualTo(2);
            assertThat(jedis.hincrBy("h", "n", 5)).isEqualTo(5);
            assertThat(jedis.hincrBy("h", "n", -7)).isEqualTo(-2);
            assertThatThrownBy(() -> jedis.hincrBy("h", "f1", 1)).hasMessage("ERR hash value is not an integer");
            assertThat(jedis.hdel("h", "f1", "f2", "n", "nope")).isEqualTo(3);
            assertThat(jedis.exists("h")).isFalse();
            assertThat(jedis.hgetAll("h")).isEmpty();
            assertThatThrownBy(() -> jedis.sendCommand(Command.HSET, "h", "f1", "v1", "f2"))
                    .hasMessage("ERR wrong number of arguments for 'hset' command");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void sortedSets(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.zadd("z", 2, "b")).isEqualTo(1);
            assertThat(jedis.zadd("z", Map.of("a", 1.0, "c", 3.5, "b", 2.0))).isEqualTo(2);
            assertThat(jedis.zadd("z", 5, "a", ZAddParams.zAddParams().nx())).isZero();
            assertThat(jedis.zadd("z", 0.5, "a", ZAddParams.zAddParams().xx().ch())).isEqualTo(1);
            assertThat(jedis.zscore("z", "c")).isEqualTo(3.5);
            assertThat(jedis.zscore("z", "nope")).isNull();
            assertThat(jedis.zcard("z")).isEqualTo(3);
            assertThat(jedis.zrange("z", 0, -1)).containsExactly("a", "b", "c");
            assertThat(jedis.zrange("z", -2, -1)).containsExactly("b", "c");
            assertThat(jedis.zrangeWithScores("z", 0, 0)).containsExactly(new Tuple("a", 0.5));
            List<Object> raw = castList(jedis.sendCommand(Command.ZRANGE, "z", "0", "-1", "WITHSCORES"));
            assertThat(raw).map(o -> new String((byte[]) o)).containsExactly("a", "0.5", "b", "2", "c", "3.5");
            assertThat(jedis.zpopmin("z")).isEqualTo(new Tuple("a", 0.5));
            assertThat(jedis.zpopmin("z", 5)).containsExactly(new Tuple("b", 2.0), new Tuple("c", 3.5));
            assertThat(jedis.exists("z")).isFalse();
            assertThatThrownBy(() -> jedis.sendCommand(Command.ZADD, "z", "high", "m")).hasMessage("ERR value is not a valid float");
            assertThatThrownBy(() -> jedis.sendCommand(Command.ZADD, "z", "1", "m", "2")).hasMessage("ERR syntax error");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> castList(Object reply) {
        return (List<Object>) reply;
    }
}
