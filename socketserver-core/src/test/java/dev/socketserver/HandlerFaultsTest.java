package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md C1 and C2: handlers that fail. An exception in every third of 300 requests gives
 * exactly 100 {@code handleError} calls with one stack trace each, closes those connections, and
 * leaves the server serving with descriptors and threads back where they were, in every model. A
 * {@link StackOverflowError} in a request thread ends only its own connection.
 */
@Timeout(60)
class HandlerFaultsTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void anExceptionInEveryThirdRequestIsReportedOnceEachAndServingGoesOn(Concurrency model) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger handleErrorCalls = new AtomicInteger();
        int fdsBefore = Descriptors.baseline();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), conn -> {
                 String line = conn.readLine();   // read first, so that closing does not reset the client
                 if (requests.incrementAndGet() % 3 == 0) {
                     throw new ReferenceHandlers.HandlerFailure("every third request fails");
                 }
                 conn.out().write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
             }, model) {
                 @Override
                 protected void handleError(Connection request, java.net.SocketAddress clientAddress, Throwable error) {
                     handleErrorCalls.incrementAndGet();
                     super.handleError(request, clientAddress, error);
                 }
             };
             Serving<?> _ = TestServers.serve(server)) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "warm up\n")).isEqualTo("warm up\n");
            requests.set(0);
            TestServers.await(DEADLINE, "the first request ends", () -> server.activeRequests() == 0);
            int threadsServing = ResourcesReturnToBaselineTest.liveThreads();
            int answered = 0;
            for (int i = 1; i <= 300; i++) {
                String reply = TestServers.exchange(Transport.TCP, server.serverAddress(), "request " + i + "\n");
                if (reply.equals("request " + i + "\n")) {
                    answered++;
                } else {
                    assertThat(reply).as("a failed request's connection is closed without a reply").isEmpty();
                }
            }
            assertThat(answered).isEqualTo(200);
            TestServers.await(DEADLINE, "100 errors are reported", () -> handleErrorCalls.get() == 100);
            assertThat(log.errorBlockEntries()).hasSize(100).allSatisfy(block ->
                    assertThat(block.thrown()).isInstanceOf(ReferenceHandlers.HandlerFailure.class));
            assertThat(server.stats().handlerErrors()).isEqualTo(100);
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "healthy\n")).isEqualTo("healthy\n");
            TestServers.await(DEADLINE, "every request ends", () -> server.activeRequests() == 0);
            assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, ResourcesReturnToBaselineTest::liveThreads, threadsServing))
                    .isLessThanOrEqualTo(threadsServing);
        }
        assertThat(ResourcesReturnToBaselineTest.awaitValue(DEADLINE, Descriptors::open, fdsBefore)).isLessThanOrEqualTo(fdsBefore);
    }

    /** C2: a StackOverflowError is an Error (fatal, see FatalErrorTest), but in a request thread it ends only its connection. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#threadModels")
    void aStackOverflowInARequestThreadEndsOnlyItsConnection(Concurrency model) throws Exception {
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> uncaught.compareAndSet(null, error));
        try (var server = new TcpServer(TestServers.loopback(), conn -> {
                 String line = conn.readLine();
                 if (line.equals("recurse")) {
                     recurse(0);
                 }
                 conn.out().write((line + "\n").getBytes());
             }, model);
             Serving<?> _ = TestServers.serve(server);
             var bystander = StreamClient.connect(server.serverAddress())) {
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "recurse\n")).isEmpty();
            TestServers.await(DEADLINE, "the error reaches the uncaught-exception handler", () -> uncaught.get() != null);
            assertThat(uncaught.get()).isInstanceOf(StackOverflowError.class);
            bystander.send("still here\n");
            assertThat(bystander.readLine()).isEqualTo("still here");
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "next\n")).isEqualTo("next\n");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
