package dev.socketserver.junit;

import dev.socketserver.Server;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** On a static field, one server serves every test of the class and its nested classes; recordings start afresh with each test. */
@Timeout(30)
class PerClassServerTest {
    @RegisterExtension
    static final TestServer server = TestServer.tcp(conn -> conn.in().transferTo(conn.out()));

    private static final AtomicReference<Server> first = new AtomicReference<>();

    PerClassServerTest(SocketAddress constructorParameter) {
        assertThat(constructorParameter).isEqualTo(server.address());
    }

    @Test
    void oneServerForEveryTest() throws Exception {
        sameServerAsTheOtherTests();
        assertThat(Clients.streamExchange(server.address(), "one")).isEqualTo("one");
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.awaitEnd().text()).isEqualTo("one"));
    }

    @Test
    void recordingsStartAfreshWithEachTest() throws Exception {
        sameServerAsTheOtherTests();
        assertThat(server.requests()).isEmpty();
        Clients.streamExchange(server.address(), "a");
        Clients.streamExchange(server.address(), "b");
        assertThat(server.takeRequest().awaitEnd().text()).isEqualTo("a");
        assertThat(server.takeRequest().awaitEnd().text()).isEqualTo("b");
        assertThat(server.requests()).extracting(RecordedRequest::sequence).containsExactly(0, 1);
    }

    @Test
    void theAddressIsInjected(SocketAddress address, InetSocketAddress inet, URI uri) {
        sameServerAsTheOtherTests();
        assertThat(address).isEqualTo(server.address());
        assertThat(inet.getPort()).isEqualTo(server.port());
        assertThat(uri).isEqualTo(URI.create("tcp://127.0.0.1:" + server.port()));
    }

    @Nested
    class Inner {
        @Test
        void nestedTestsShareTheOuterServer() throws Exception {
            sameServerAsTheOtherTests();
            assertThat(Clients.streamExchange(server.address(), "nested")).isEqualTo("nested");
        }
    }

    private static void sameServerAsTheOtherTests() {
        first.compareAndSet(null, server.server());
        assertThat(server.server()).isSameAs(first.get());
    }
}
