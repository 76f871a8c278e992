package dev.socketserver.cli;

import dev.socketserver.Concurrency;

/**
 * The {@code --concurrency} values: {@code sync}, {@code threads}, {@code virtual},
 * {@code bounded:N} and {@code workers:N} (N worker processes, virtual threads in each), each
 * naming a {@link Concurrency}, and {@code async} or {@code async:N} for
 * the event-loop server with N loops. A mode is a name, optionally followed by {@code :} and an
 * argument; a new mode is one more case in {@link #parse}.
 */
final class ConcurrencyModes {
    /** The modes {@link #parse} accepts, for error messages and help. */
    static final String EXPECTED = "expected sync, threads, virtual, bounded:N, workers:N, async or async:N";

    private ConcurrencyModes() {
    }

    /**
     * Parses a mode.
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    static Mode parse(String mode) {
        int colon = mode.indexOf(':');
        String name = colon < 0 ? mode : mode.substring(0, colon);
        String argument = colon < 0 ? null : mode.substring(colon + 1);
        return switch (name) {
            case "sync" -> blocking(withoutArgument(name, argument, Concurrency.synchronous()));
            case "threads" -> blocking(withoutArgument(name, argument, Concurrency.threads()));
            case "virtual" -> blocking(withoutArgument(name, argument, Concurrency.virtualThreads()));
            case "bounded" -> blocking(Concurrency.bounded(positiveCount(name, argument)));
            case "workers" -> blocking(Concurrency.workerProcesses(positiveCount(name, argument)));
            case "async" -> new Mode.Async(argument == null ? 0 : positiveCount(name, argument));
            default -> throw new IllegalArgumentException(EXPECTED);
        };
    }

    private static Mode blocking(Concurrency concurrency) {
        return new Mode.Blocking(concurrency);
    }

    private static Concurrency withoutArgument(String name, String argument, Concurrency concurrency) {
        if (argument != null) {
            throw new IllegalArgumentException("'" + name + "' takes no ':' argument; " + EXPECTED);
        }
        return concurrency;
    }

    private static int positiveCount(String name, String argument) {
        if (argument == null || argument.isEmpty()) {
            throw new IllegalArgumentException("'" + name + "' needs a limit, as in " + name + ":100");
        }
        try {
            int count = Integer.parseInt(argument);
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("the limit in " + name + ":N must be a whole number of at least 1, got '" + argument + "'");
    }
}
