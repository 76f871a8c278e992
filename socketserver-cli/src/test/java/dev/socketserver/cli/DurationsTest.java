package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class DurationsTest {

    @Test
    void readsEachUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void readsZeroWithOrWithoutUnit() {
        assertThat(Durations.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(Durations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            5x                       | expected a duration such as 500ms, 5s, 1m or 0
            -5s                      | expected a duration such as 500ms, 5s, 1m or 0
            1.5s                     | expected a duration such as 500ms, 5s, 1m or 0
            ''                       | expected a duration such as 500ms, 5s, 1m or 0
            5                        | missing unit (ms, s, m or h), as in 5s
            99999999999999999999s    | too long
            9999999999999h           | too long
            """)
    void refusesWithAMessageThatNamesTheProblem(String text, String message) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Durations.parse(text))
                .withMessageContaining(message);
    }
}
