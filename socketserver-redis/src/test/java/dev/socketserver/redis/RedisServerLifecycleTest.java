package dev.socketserver.redis;

import dev.socketserver.Concurrency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class RedisServerLifecycleTest {

    @Test
    void servesUnderEveryThreadModel() throws Exception {
        for (Concurrency concurrency : List.of(Concurrency.synchronous(), Concurrency.threads(), Concurrency.virtualThreads(), Concurrency.bounded(4))) {
            try (var redis = RedisServer.builder().concurrency(concurrency).start(); Jedis jedis = Family.client(redis)) {
                assertThat(jedis.set("k", concurrency.toString())).isEqualTo("OK");
                assertThat(jedis.get("k")).isEqualTo(concurrency.toString());
            }
        }
    }

    @Test
    void refusesProcessModelsWhichCannotShareTheData() {
        assertThatThrownBy(() -> RedisServer.builder().concurrency(Concurrency.workerProcesses(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot share");
    }

    @Test
    void closingLeavesNoThreadBehind() throws Exception {
        int before = Thread.activeCount();
        for (int i = 0; i < 5; i++) {
            try (var redis = RedisServer.builder().eventLoop(2).start(); Jedis jedis = Family.client(redis)) {
                jedis.set("k", "v", SetParams.setParams().px(10_000));
            }
        }
        KeyCommandsTest.awaitTrue(() -> Thread.activeCount() <= before);
    }

    @Test
    void servesAUnixSocketInBothFamilies(@TempDir Path dir) throws Exception {
        for (Family family : Family.values()) {
            Path file = dir.resolve(family + ".sock");
            try (var redis = family.builder().listen(file).start();
                 var channel = SocketChannel.open(UnixDomainSocketAddress.of(file))) {
                Channels.newOutputStream(channel).write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = Channels.newInputStream(channel).readNBytes(7);
                assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
                assertThatThrownBy(redis::port).isInstanceOf(IllegalStateException.class);
            }
        }
    }
}
