package dev.socketserver.redis;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Pipelining and many clients at once: the replies come back in order, and none is lost. */
@Timeout(60)
class LoadTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void aThousandPipelinedCommandsAreAnsweredInOrder(Family family) throws Exception {
        try (var redis = family.start(); Jedis jedis = Family.client(redis)) {
            Pipeline pipeline = jedis.pipelined();
            var gets = new ArrayList<Response<String>>();
            for (int i = 0; i < 500; i++) {
                pipeline.set("key:" + i, "value:" + i);
                gets.add(pipeline.get("key:" + i));
            }
            List<Object> replies = pipeline.syncAndReturnAll();
            assertThat(replies).hasSize(1000);
            for (int i = 0; i < 500; i++) {
                assertThat(replies.get(2 * i)).isEqualTo("OK");
                assertThat(gets.get(i).get()).isEqualTo("value:" + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void twoHundredClientsAtOnce(Family family) throws Exception {
        int clients = 200;
        try (var redis = family.start(); var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var allConnected = new CountDownLatch(clients);
            var results = new ArrayList<Future<String>>();
            for (int c = 0; c < clients; c++) {
                int id = c;
                results.add(executor.submit(() -> {
                    try (Jedis jedis = Family.client(redis)) {
                        jedis.ping();
                        allConnected.countDown();
                        allConnected.await();
                        for (int i = 0; i < 50; i++) {
                            jedis.incr("counter");
                            jedis.rpush("list:" + id, Integer.toString(i));
                        }
                        jedis.set("client:" + id, "done");
                        return jedis.get("client:" + id) + " " + jedis.llen("list:" + id);
                    }
                }));
            }
            for (Future<String> result : results) {
                assertThat(result.get()).isEqualTo("done 50");
            }
            try (Jedis jedis = Family.client(redis)) {
                assertThat(jedis.get("counter")).isEqualTo(Integer.toString(clients * 50));
            }
        }
    }
}
