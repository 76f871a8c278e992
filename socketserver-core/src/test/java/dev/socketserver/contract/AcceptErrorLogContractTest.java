package dev.socketserver.contract;

import dev.socketserver.LogCapture;
import dev.socketserver.contract.Family.Handler;
import dev.socketserver.internal.Loggers;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.socketserver.contract.Clients.ascii;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An accept that fails (too many open files) is logged on {@code dev.socketserver.accept} in both
 * families, as the README's logging table says, counted, and retried: the waiting client is served.
 */
@Timeout(30)
class AcceptErrorLogContractTest {

    @ParameterizedTest
    @EnumSource(Family.class)
    void aFailedAcceptIsLoggedOnTheAcceptLogger(Family family) throws Exception {
        try (var log = new LogCapture(); var server = family.tcp(Handler.ECHO)) {
            server.failAccepts(1, "Too many open files");
            server.start();
            assertThat(Clients.exchange(server.address(), null, ascii("served after a retry"))).isEqualTo("served after a retry");
            assertThat(server.stats().acceptErrors()).isEqualTo(1);
            assertThat(log.entries()).filteredOn(e -> e.message().contains("Too many open files"))
                    .singleElement()
                    .satisfies(e -> assertThat(e.logger()).isEqualTo(Loggers.ACCEPT))
                    .satisfies(e -> assertThat(e.level()).isEqualTo("WARNING"));
        }
    }
}
