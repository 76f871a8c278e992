package dev.socketserver;

import dev.socketserver.TestServers.Answer;
import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Concurrency.bounded(n)} serves at most {@code n} requests at once; further clients connect
 * (the kernel's backlog holds them) and are served when a request ends. The Java answer to
 * pitfall P8 (no cap on threads) and the observable contract of row 6 ({@code max_children}).
 */
@Timeout(30)
class BoundedConcurrencyTest {

    @Test
    @DisplayName("P8 / row 6 shape: bounded(2) serves two at once; a third client connects but is served after one finishes")
    void boundedTwoServesAtMostTwoAtOnceAndTheThirdWaits() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ConnectionHandler slow = conn -> {
            int running = now.incrementAndGet();
            peak.accumulateAndGet(running, Math::max);
            try {
                conn.readLine();
                Thread.sleep(700);   // the request's work: the thing under test is how many run at once
                conn.out().write("done\n".getBytes());
            } finally {
                now.decrementAndGet();
            }
        };
        List<StreamClient> clients = new ArrayList<>();
        try (var server = new TcpServer(TestServers.loopback(), slow, Concurrency.bounded(2));
             Serving<?> _ = TestServers.serve(server)) {
            for (int i = 0; i < 3; i++) {
                clients.add(StreamClient.connect(server.serverAddress()));   // all three connect at once
            }
            List<Answer> answers = new ArrayList<>(TestServers.concurrently(clients, "x\n"));
            answers.sort(Comparator.comparing(Answer::at));

            assertThat(answers).extracting(Answer::text).containsOnly("done\n");
            assertThat(peak.get()).isEqualTo(2);
            // the third was served only after one of the first two had finished its 0.7 s
            assertThat(answers.get(2).at()).isGreaterThanOrEqualTo(Duration.ofMillis(1300));
        } finally {
            TestServers.closeAll(clients);
        }
    }
}
