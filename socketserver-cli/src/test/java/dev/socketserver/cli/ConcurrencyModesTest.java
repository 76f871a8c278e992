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
        assertThat(ConcurrencyModes.parse("sync")).isEqualTo(new Mode.Blocking(Concurrency.synchronous()));
        assertThat(ConcurrencyModes.parse("threads")).isEqualTo(new Mode.Blocking(Concurrency.threads()));
        assertThat(ConcurrencyModes.parse("virtual")).isEqualTo(new Mode.Blocking(Concurrency.virtualThreads()));
        assertThat(ConcurrencyModes.parse("bounded:8")).isEqualTo(new Mode.Blocking(Concurrency.bounded(8)));
        assertThat(ConcurrencyModes.parse("workers:4")).isEqualTo(new Mode.Blocking(Concurrency.workerProcesses(4)));
        assertThat(ConcurrencyModes.parse("async")).isEqualTo(new Mode.Async(0));
        assertThat(ConcurrencyModes.parse("async:3")).isEqualTo(new Mode.Async(3));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            fast        | expected sync, threads, virtual, bounded:N, workers:N, async or async:N
            Virtual     | expected sync, threads, virtual, bounded:N, workers:N, async or async:N
            ''          | expected sync, threads, virtual, bounded:N, workers:N, async or async:N
            bounded     | 'bounded' needs a limit, as in bounded:100
            bounded:    | 'bounded' needs a limit
            bounded:0   | at least 1, got '0'
            bounded:-3  | at least 1, got '-3'
            bounded:x   | at least 1, got 'x'
            workers:0   | at least 1, got '0'
            bounded:99999999999 | at least 1, got '99999999999'
            sync:2      | 'sync' takes no ':' argument
            async:0     | at least 1, got '0'
            """)
    void refusesWithAMessageThatNamesTheProblem(String mode, String message) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConcurrencyModes.parse(mode))
                .withMessageContaining(message);
    }
}
