package dev.socketserver.junit;

import dev.socketserver.Concurrency;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

/**
 * The leak check fails a test whose server leaves a descriptor, a thread or a running request
 * behind, saying what, and passes a test that leaves nothing. The tests it judges are nested
 * classes run on their own through JUnit's EngineTestKit (and skipped when the build runs them).
 */
@Timeout(60)
class LeakCheckTest {
    private static volatile boolean runByEngineTestKit;
    private static final List<AutoCloseable> leaked = new CopyOnWriteArrayList<>();
    private static volatile CountDownLatch release;

    static boolean runByEngineTestKit() {
        return runByEngineTestKit;
    }

    @BeforeEach
    void holdWhatTheNestedTestsStart() {
        release = new CountDownLatch(1);
    }

    @AfterEach
    void cleanUpWhatTheNestedTestsLeaked() throws Exception {
        release.countDown();
        for (AutoCloseable resource : leaked) {
            resource.close();
        }
        leaked.clear();
    }

    @Test
    void aHandlerThatLeaksADescriptorAndAThreadFailsItsTestSayingWhat() {
        Events events = run(LeakingHandler.class);
        events.assertThatEvents().haveExactly(1, event(test("leaks"), finishedWithFailure(instanceOf(AssertionError.class),
                message(m -> m.startsWith("the test server tcp://127.0.0.1:") && m.contains(" leaked:")
                        && m.contains("descriptor ") && m.contains("socket:[")
                        && m.contains("thread \"leaked-by-handler\" (WAITING")))));
    }

    @Test
    void aHandlerThatNeverReturnsFailsItsTestWithTheOpenRequest() {
        Events events = run(StuckHandler.class);
        events.assertThatEvents().haveExactly(1, event(test("sticks"), finishedWithFailure(instanceOf(AssertionError.class),
                message(m -> m.contains("1 request(s) still running 5000 ms after the test") && m.contains("request 0 from /127.0.0.1:")
                        && m.contains("\"stuck\"")))));
    }

    @Test
    void serversThatLeaveNothingPass() {
        Events events = run(CleanServers.class);
        events.assertStatistics(stats -> stats.started(2).succeeded(2).failed(0));
        events.assertThatEvents().haveExactly(2, event(test(), finishedSuccessfully()));
    }

    private static Events run(Class<?> testClass) {
        runByEngineTestKit = true;
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
        } finally {
            runByEngineTestKit = false;
        }
    }

    @EnabledIf("dev.socketserver.junit.LeakCheckTest#runByEngineTestKit")
    static class LeakingHandler {
        @RegisterExtension
        final TestServer server = TestServer.tcp(conn -> {
            leaked.add(new ServerSocket(0));
            Thread thread = Thread.ofPlatform().name("leaked-by-handler").start(() -> awaitRelease());
            leaked.add(thread::join);
        }).withLeakCheck();

        @Test
        void leaks() throws IOException {
            assertThat(Clients.streamExchange(server.address(), "x")).isEmpty();
        }
    }

    @EnabledIf("dev.socketserver.junit.LeakCheckTest#runByEngineTestKit")
    static class StuckHandler {
        @RegisterExtension
        final TestServer server = TestServer.tcp(conn -> {
            conn.in().readNBytes(5);
            awaitRelease();
        }).withLeakCheck();

        @Test
        void sticks() throws Exception {
            try (var channel = Clients.connect(server.address())) {
                channel.write(ByteBuffer.wrap("stuck".getBytes(StandardCharsets.UTF_8)));
                server.takeRequest();
            }
        }
    }

    @EnabledIf("dev.socketserver.junit.LeakCheckTest#runByEngineTestKit")
    static class CleanServers {
        @RegisterExtension
        final TestServer server = TestServer.tcp(conn -> conn.in().transferTo(conn.out()))
                .withConcurrency(Concurrency.threads()).withLeakCheck();

        @Test
        void echoes() throws IOException {
            for (int i = 0; i < 20; i++) {
                assertThat(Clients.streamExchange(server.address(), "x" + i)).isEqualTo("x" + i);
            }
        }

        @Test
        void echoesOnTheEventLoopToo() throws IOException {
            try (TestServer eventLoop = TestServer.asyncTcp(Echoes::protocol).withLeakCheck().start()) {
                assertThat(Clients.streamExchange(eventLoop.address(), "y")).isEqualTo("y");
            }
        }
    }

    private static void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
