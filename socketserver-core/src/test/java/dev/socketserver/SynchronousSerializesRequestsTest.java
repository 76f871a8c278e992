package dev.socketserver;

import dev.socketserver.TestServers.Answer;
import dev.socketserver.TestServers.Client;
import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** §5 row 4: the synchronous model serves one request at a time, in the serving thread. */
@Timeout(30)
class SynchronousSerializesRequestsTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @DisplayName("row 4: two SLOW(0.5) requests at once are answered one after the other, by the same worker")
    @ParameterizedTest(name = "{0}")
    @EnumSource(Transport.class)
    void twoSlowRequestsAtOnceAreAnsweredOneAfterTheOther(Transport transport) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.slow(Duration.ofMillis(500)), Concurrency.synchronous(), dir);
        List<Client> clients = new ArrayList<>();
        try (Serving<?> serving = TestServers.serve(server)) {
            clients.add(transport.connect(server.serverAddress()));
            clients.add(transport.connect(server.serverAddress()));
            List<Answer> answers = new ArrayList<>(TestServers.concurrently(clients, "x\n"));
            answers.sort(Comparator.comparing(Answer::at));

            assertThat(answers.get(0).at()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertThat(answers.get(1).at()).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(answers.get(1).at().minus(answers.get(0).at())).isGreaterThanOrEqualTo(Duration.ofMillis(350));
            // both ran in the serving thread
            assertThat(answers.get(0).text()).matches("\\d+\n").isEqualTo(answers.get(1).text());
            assertThat(answers.get(0).text().strip()).isEqualTo(Long.toString(serving.thread().threadId()));
        } finally {
            TestServers.closeAll(clients);
        }
    }
}
