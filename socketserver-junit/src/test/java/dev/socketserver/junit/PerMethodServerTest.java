package dev.socketserver.junit;

import dev.socketserver.Server;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** On an instance field, each test gets a server of its own, closed after it: the last test's socket file is gone. */
@Timeout(30)
class PerMethodServerTest {
    @RegisterExtension
    final TestServer server = TestServer.unix(conn -> conn.in().transferTo(conn.out()));

    private static final AtomicReference<Server> previous = new AtomicReference<>();
    private static final AtomicReference<Path> previousFile = new AtomicReference<>();

    @RepeatedTest(3)
    void aNewServerForEachTest() throws Exception {
        assertThat(server.server()).isNotSameAs(previous.get());
        if (previousFile.get() != null) {
            assertThat(previousFile.get()).as("the previous test's server closed and removed its socket file").doesNotExist();
        }
        assertThat(server.requests()).isEmpty();
        assertThat(Clients.streamExchange(server.address(), "hi")).isEqualTo("hi");
        assertThat(server.takeRequest().awaitEnd().text()).isEqualTo("hi");
        previous.set(server.server());
        previousFile.set(server.path());
    }
}
