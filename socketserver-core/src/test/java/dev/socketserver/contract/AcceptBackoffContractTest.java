package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.contract.Family.Handler;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static dev.socketserver.contract.Clients.ascii;
import static dev.socketserver.contract.Clients.exchange;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md A2, the same in both families: a failing accept (too many open files and its
 * relatives) backs off 5, 10, 20 ... 1000 ms instead of spinning, the listener stays open, the
 * errors are counted and logged at most once a second, serving resumes once accept works again,
 * and the backoff starts over after an accept that worked. (Which logger says it is
 * {@link AcceptErrorLogContractTest}'s.)
 */
@Timeout(30)
class AcceptBackoffContractTest {

    static Stream<Arguments> familiesAndErrors() {
        return Stream.of(Family.values()).flatMap(family -> Stream.of(
                        "Too many open files", "Too many open files in system", "No buffer space available", "Cannot allocate memory")
                .map(error -> Arguments.of(family, error)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("familiesAndErrors")
    void failingAcceptsBackOffAndServingResumes(Family family, String error) throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO)) {
            server.failAccepts(() -> {
                if (!failing.get()) {
                    return null;
                }
                attempts.incrementAndGet();
                return error;
            });
            server.start();
            try (Socket waiting = Clients.connect(server.address(), null)) {   // makes the listener ready: accept is attempted
                Clients.pace(Duration.ofMillis(1500));   // the window in which attempts are counted
                assertThat(attempts.get()).as("accept attempts in 1.5 s: 5, 10, 20 ... ms apart, not a spin").isBetween(2, 12);
                try (Socket another = Clients.connect(server.address(), null)) {
                    assertThat(another.isConnected()).as("the listener is still open: the kernel completes another handshake").isTrue();
                }
                failing.set(false);
                waiting.getOutputStream().write('x');
                assertThat(waiting.getInputStream().read()).as("served within the last backoff (1 s at most)").isEqualTo('x');
            }
            assertThat(exchange(server.address(), null, ascii("next"))).isEqualTo("next");
            assertThat(server.stats().acceptErrors()).isEqualTo(attempts.get());
            long logged = log.entries().stream().filter(e -> e.message().contains(error)).count();
            assertThat(logged).as("logged at most once a second").isBetween(1L, 2L);
        }
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void theBackoffStartsOverAfterASuccessfulAccept(Family family) throws Exception {
        AtomicBoolean failNext = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO)) {
            server.failAccepts(() -> {
                if (failNext.getAndSet(false)) {
                    failures.incrementAndGet();
                    return "Too many open files";
                }
                return null;
            });
            server.start();
            long start = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                failNext.set(true);   // the first accept for each client fails, the next one works
                assertThat(exchange(server.address(), null, ascii("ping " + i))).isEqualTo("ping " + i);
            }
            // each client waits one short backoff (5 ms); a backoff that kept growing would make
            // these twelve wait 5 + 10 + ... + 640 + 4 x 1000 ms, over 5 s
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(failures.get()).isEqualTo(12);
            assertThat(server.stats().acceptErrors()).isEqualTo(12);
        }
    }
}
