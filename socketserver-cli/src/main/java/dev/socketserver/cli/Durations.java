package dev.socketserver.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the command line writes them: a whole number and a unit, {@code 500ms}, {@code 5s}, {@code 1m}, {@code 2h}, or {@code 0}. */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final String EXPECTED = "expected a duration such as 500ms, 5s, 1m or 0";

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(EXPECTED);
        }
        String unit = m.group(2);
        try {
            long amount = Long.parseLong(m.group(1));
            if (unit == null) {
                if (amount == 0) {
                    return Duration.ZERO;
                }
                throw new IllegalArgumentException("missing unit (ms, s, m or h), as in " + amount + "s");
            }
            Duration duration = Duration.of(amount, switch (unit) {
                case "ms" -> ChronoUnit.MILLIS;
                case "s" -> ChronoUnit.SECONDS;
                case "m" -> ChronoUnit.MINUTES;
                default -> ChronoUnit.HOURS;
            });
            duration.toNanos();   // deadlines are counted in nanoseconds: refuse what does not fit
            return duration;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("the duration is too long");
        }
    }
}
