package dev.socketserver.internal.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static dev.socketserver.internal.linux.LibCLinker.errnoCall;
import static dev.socketserver.internal.linux.LibCLinker.optionalErrnoCall;
import static dev.socketserver.internal.linux.LibCLinker.plainCall;
import static dev.socketserver.internal.linux.LibCLinker.variadicErrnoCall;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls on processes and their constants: signals ({@code kill}, {@code getpgid}),
 * waiting for a child ({@code pidfd_open}, {@code waitid} and the layout of {@code siginfo_t}),
 * and the process's own user and group. Used by {@link ChildReaper} and
 * {@link UcspiEnvironment}; starting a child is {@link LibCSpawn}'s.
 */
final class LibCProcesses {
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int P_PID = 1;
    static final int P_PIDFD = 3;
    static final int WNOHANG = 1;
    static final int WEXITED = 4;
    /** {@code siginfo_t} is 128 bytes; after si_signo, si_errno, si_code and padding come si_pid, si_uid, si_status. */
    static final int SIGINFO_SIZE = 128;
    static final int SIGINFO_CODE = 8;
    static final int SIGINFO_PID = 16;
    static final int SIGINFO_STATUS = 24;
    static final int CLD_EXITED = 1;
    static final int CLD_KILLED = 2;
    static final int CLD_DUMPED = 3;
    private static final long SYS_PIDFD_OPEN = 434;   // the same number on every architecture (new-style syscall table)

    private static final MethodHandle KILL = errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPGID = errnoCall("getpgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITID = errnoCall("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PIDFD_OPEN = optionalErrnoCall("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SYSCALL_2 = variadicErrnoCall("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), 1);
    private static final MethodHandle GETUID = plainCall("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = plainCall("getgid", FunctionDescriptor.of(JAVA_INT));

    private LibCProcesses() {
    }

    static int kill(MemorySegment state, int pid, int signal) {
        try {
            return (int) KILL.invokeExact(state, pid, signal);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getpgid(MemorySegment state, int pid) {
        try {
            return (int) GETPGID.invokeExact(state, pid);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int waitid(MemorySegment state, int idType, int id, MemorySegment siginfo, int options) {
        try {
            return (int) WAITID.invokeExact(state, idType, id, siginfo, options);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A pidfd for {@code pid}, close-on-exec: glibc's wrapper (2.36 and later), or the system call itself. */
    static int pidfdOpen(MemorySegment state, int pid) {
        try {
            return PIDFD_OPEN != null ? (int) PIDFD_OPEN.invokeExact(state, pid, 0)
                    : (int) (long) SYSCALL_2.invokeExact(state, SYS_PIDFD_OPEN, pid, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getuid() {
        try {
            return (int) GETUID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getgid() {
        try {
            return (int) GETGID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
