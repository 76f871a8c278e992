package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ServerCommandsTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void pingEchoSelectQuit(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(jedis.ping("hi")).isEqualTo("hi");
            assertThat(jedis.echo("hello")).isEqualTo("hello");
            assertThat(jedis.select(0)).isEqualTo("OK");
            assertThatThrownBy(() -> jedis.select(1)).isInstanceOf(JedisDataException.class).hasMessage("ERR DB index is out of range");
            assertThatThrownBy(() -> jedis.sendCommand(Command.PING, "a", "b")).hasMessage("ERR wrong number of arguments for 'ping' command");
            ProtocolCommand quit = () -> "QUIT".getBytes(StandardCharsets.US_ASCII);
            assertThat(jedis.sendCommand(quit)).isEqualTo("OK".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void unknownCommandsAndWrongArityAreAnsweredAndTheConnectionStaysOpen(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            ProtocolCommand foo = () -> "foo".getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> jedis.sendCommand(foo)).hasMessage("ERR unknown command 'foo', with args beginning with: ");
            assertThatThrownBy(() -> jedis.sendCommand(foo, "a", "b c"))
                    .hasMessage("ERR unknown command 'foo', with args beginning with: 'a' 'b c' ");
            assertThatThrownBy(() -> jedis.sendCommand(Command.GET)).hasMessage("ERR wrong number of arguments for 'get' command");
            assertThatThrownBy(() -> jedis.sendCommand(Command.GET, "a", "b")).hasMessage("ERR wrong number of arguments for 'get' command");
            ProtocolCommand hello = () -> "HELLO".getBytes(StandardCharsets.US_ASCII);
            assertThatThrownBy(() -> jedis.sendCommand(hello, "3")).hasMessage("ERR unknown command 'HELLO', with args beginning with: '3' ");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void whatRedisToolsAskWhenTheyStart(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            assertThat(jedis.configGet("save")).isEqualTo(Map.of("save", ""));
            assertThat(jedis.configGet("appendonly")).isEqualTo(Map.of("appendonly", "no"));
            assertThat(jedis.configGet("no-such-parameter")).isEmpty();
            assertThat(jedis.sendCommand(Command.COMMAND, "DOCS")).isEqualTo(List.of());
            assertThat((Long) jedis.sendCommand(Command.COMMAND, "COUNT")).isGreaterThan(50);
            assertThat((List<?>) jedis.sendCommand(Command.COMMAND)).hasSizeGreaterThan(50);
            assertThat(jedis.clientGetname()).isNull();
            assertThat(jedis.clientSetname("tester")).isEqualTo("OK");
            assertThat(jedis.clientGetname()).isEqualTo("tester");
            jedis.set("k", "v");
            String info = jedis.info();
            assertThat(info).contains("# Server\r\n", "redis_version:7.0.0\r\n", "server_name:socketserver-redis\r\n",
                    "tcp_port:" + redis.port() + "\r\n", "uptime_in_seconds:", "# Keyspace\r\ndb0:keys=1,expires=0");
            assertThat(jedis.info("server")).contains("# Server").doesNotContain("# Keyspace");
        }
    }
}
