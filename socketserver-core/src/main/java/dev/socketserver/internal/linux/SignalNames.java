package dev.socketserver.internal.linux;

import java.util.Map;

/** The names of the Linux signals a child is commonly ended by, for messages such as {@link ChildReaper.Exit#toString()}. */
final class SignalNames {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "SIGHUP"), Map.entry(2, "SIGINT"), Map.entry(3, "SIGQUIT"), Map.entry(4, "SIGILL"),
            Map.entry(5, "SIGTRAP"), Map.entry(6, "SIGABRT"), Map.entry(7, "SIGBUS"), Map.entry(8, "SIGFPE"),
            Map.entry(9, "SIGKILL"), Map.entry(10, "SIGUSR1"), Map.entry(11, "SIGSEGV"), Map.entry(12, "SIGUSR2"),
            Map.entry(13, "SIGPIPE"), Map.entry(14, "SIGALRM"), Map.entry(15, "SIGTERM"), Map.entry(24, "SIGXCPU"),
            Map.entry(25, "SIGXFSZ"));

    private SignalNames() {
    }

    /** {@code SIGTERM} for 15; {@code signal 40} for a number without a name here. */
    static String name(int signal) {
        return NAMES.getOrDefault(signal, "signal " + signal);
    }
}
