package dev.socketserver.redis.internal;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/** Integers and floats as Redis reads and writes them. */
final class Numbers {
    private Numbers() {
    }

    /** A 64-bit integer written as Redis's {@code string2ll} accepts it: no sign but '-', no spaces, no leading zeros. */
    static long parseLong(byte[] bytes) {
        int n = bytes.length;
        if (n == 0 || n > 20) {
            throw CommandError.notAnInteger();
        }
        int i = 0;
        boolean negative = bytes[0] == '-';
        if (negative) {
            i++;
            if (n == 1) {
                throw CommandError.notAnInteger();
            }
        }
        if (bytes[i] == '0' && n > i + 1 || (negative && bytes[i] == '0')) {
            throw CommandError.notAnInteger();
        }
        long value = 0;
        for (; i < n; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                throw CommandError.notAnInteger();
            }
            // accumulate negatively, so Long.MIN_VALUE fits
            if (value < (Long.MIN_VALUE + digit) / 10) {
                throw CommandError.notAnInteger();
            }
            value = value * 10 - digit;
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw CommandError.notAnInteger();
            }
            value = -value;
        }
        return value;
    }

    static int parseInt(byte[] bytes) {
        long value = parseLong(bytes);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw CommandError.notAnInteger();
        }
        return (int) value;
    }

    /** A float as Redis reads a score: decimal or exponent notation, {@code inf}, {@code +inf}, {@code -inf}; never NaN. */
    static double parseDouble(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
            }
        }
        if (text.isEmpty() || !text.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
            throw new CommandError(CommandError.NOT_A_FLOAT);
        }
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new CommandError(CommandError.NOT_A_FLOAT);
        }
    }

    /** A score as Redis replies it: {@code 1}, {@code 1.5}, {@code inf}, {@code -inf}. */
    static String format(double value) {
        if (value == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e17) {
            return Long.toString((long) value);
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-5 && magnitude < 1e17) {
            return new BigDecimal(Double.toString(value)).toPlainString();
        }
        return Double.toString(value).replace("E", "e");
    }
}
