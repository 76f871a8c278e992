package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class ConcurrencyModesTest {

    @Test
    void namesEachModel() {
        assertThat(ConcurrencyModes.parse("sync")).isEqualTo(Concurrency.synchronous());
        assertThat(ConcurrencyModes.parse("threads")).isEqualTo(Concurrency.threads());
        assertThat(ConcurrencyModes.parse("virtual")).isEqualTo(Concurrency.virtualThreads());
        assertThat(ConcurrencyModes.parse("bounded:8")).isEqualTo(Concurrency.bounded(8));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            fast        | expected sync, threads, virtual or bounded:N
            Virtual     | expected sync, threads, virtual or bounded:N
            ''          | expected sync, threads, virtual or bounded:N
            bounded     | 'bounded' needs a limit, as in bounded:100
            bounded:    | 'bounded' needs a limit
            bounded:0   | at least 1, got '0'
            bounded:-3  | at least 1, got '-3'
            bounded:x   | at least 1, got 'x'
            bounded:99999999999 | at least 1, got '99999999999'
            sync:2      | 'sync' takes no ':' argument
            """)
    void refusesWithAMessageThatNamesTheProblem(String mode, String message) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConcurrencyModes.parse(mode))
                .withMessageContaining(message);
    }
}
