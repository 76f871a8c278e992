package dev.socketserver.internal;

import java.time.Duration;

/** The check every timeout and deadline setting shares, with one message for the options and the live setters. */
public final class Durations {
    private Durations() {
    }

    /**
     * Returns {@code d} if it is positive or null (none).
     *
     * @throws IllegalArgumentException naming {@code what}, if {@code d} is zero or negative
     */
    public static Duration positiveOrNull(Duration d, String what) {
        if (d != null && (d.isNegative() || d.isZero())) {
            throw new IllegalArgumentException(what + " must be positive, or null for none; got " + d);
        }
        return d;
    }
}
