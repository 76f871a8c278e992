package dev.socketserver;

import dev.socketserver.TestServers.Answer;
import dev.socketserver.TestServers.Client;
import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 rows 3 and 11: the thread models serve slow requests at the same time, each in its own thread. */
@Timeout(30)
class ConcurrentRequestsTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Transport.TCP, Concurrency.threads()),
                Arguments.of(Transport.TCP, Concurrency.virtualThreads()),
                Arguments.of(Transport.TCP, Concurrency.bounded(3)),
                Arguments.of(Transport.UNIX, Concurrency.threads()),
                Arguments.of(Transport.UDP, Concurrency.threads()),
                Arguments.of(Transport.UDP, Concurrency.virtualThreads()));
    }

    @DisplayName("rows 3 and 11: three SLOW(1) requests at once are all answered within 2.5 s by three distinct workers")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void threeSlowRequestsAtOnceAreServedInParallelByDistinctWorkers(Transport transport, ThreadModel concurrency) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.slow(Duration.ofSeconds(1)), concurrency, dir);
        List<Client> clients = new ArrayList<>();
        try (Serving<?> _ = TestServers.serve(server)) {
            for (int i = 0; i < 3; i++) {
                clients.add(transport.connect(server.serverAddress()));
            }
            List<Answer> answers = TestServers.concurrently(clients, "x\n");

            // served one after another they would take 3 s
            assertThat(answers).allSatisfy(a -> assertThat(a.at()).isBetween(Duration.ofMillis(900), Duration.ofMillis(2500)));
            assertThat(answers).extracting(Answer::text).allMatch(t -> t.matches("\\d+\n")).doesNotHaveDuplicates();
        } finally {
            TestServers.closeAll(clients);
        }
    }
}
