package dev.socketserver.internal.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/** Reads the {@code siginfo_t} that {@code waitid} fills for a child: whether it ended, and how ({@link ChildReaper.Exit}). */
final class WaitidSiginfo {
    private WaitidSiginfo() {
    }

    /** Whether {@code waitid} reported a child at all: with {@code WNOHANG}, a zero pid means none has exited. */
    static boolean reportsChild(MemorySegment siginfo) {
        return siginfo.get(ValueLayout.JAVA_INT, LibCProcesses.SIGINFO_PID) != 0;
    }

    /** How child {@code pid} ended: exited with a status, killed by a signal (with or without a core dump), or unknown. */
    static ChildReaper.Exit exit(MemorySegment siginfo, int pid, Duration runTime) {
        int code = siginfo.get(ValueLayout.JAVA_INT, LibCProcesses.SIGINFO_CODE);
        int status = siginfo.get(ValueLayout.JAVA_INT, LibCProcesses.SIGINFO_STATUS);
        return switch (code) {
            case LibCProcesses.CLD_EXITED -> new ChildReaper.Exit(pid, status & 0xff, 0, false, runTime);
            case LibCProcesses.CLD_KILLED -> new ChildReaper.Exit(pid, -1, status, false, runTime);
            case LibCProcesses.CLD_DUMPED -> new ChildReaper.Exit(pid, -1, status, true, runTime);
            default -> new ChildReaper.Exit(pid, -1, 0, false, runTime);
        };
    }
}
