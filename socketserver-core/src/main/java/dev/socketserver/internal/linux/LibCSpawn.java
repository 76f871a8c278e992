package dev.socketserver.internal.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static dev.socketserver.internal.linux.LibCLinker.invokeInt;
import static dev.socketserver.internal.linux.LibCLinker.optionalPlainCall;
import static dev.socketserver.internal.linux.LibCLinker.plainCall;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The libc calls that start a child process for {@link Spawner}: {@code posix_spawnp}, its file
 * actions and attributes, and the signal sets the attributes take. The {@code posix_spawn}
 * functions return an error number instead of setting errno, so they are linked without capturing
 * it and take no state segment.
 */
final class LibCSpawn {
    static final short POSIX_SPAWN_SETPGROUP = 0x02;
    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Generous upper bounds of glibc's opaque types (80, 336 and 128 bytes on x86_64 and aarch64). */
    static final int SPAWN_FILE_ACTIONS_SIZE = 256;
    static final int SPAWNATTR_SIZE = 512;
    static final int SIGSET_SIZE = 128;

    private static final MethodHandle POSIX_SPAWNP = plainCall("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle FILE_ACTIONS_INIT = plainCall("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FILE_ACTIONS_DESTROY = plainCall("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle FILE_ACTIONS_ADDDUP2 = plainCall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FILE_ACTIONS_ADDCLOSE = plainCall("posix_spawn_file_actions_addclose",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** glibc 2.34 and later; null before. */
    private static final MethodHandle FILE_ACTIONS_ADDCLOSEFROM = optionalPlainCall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SPAWNATTR_INIT = plainCall("posix_spawnattr_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWNATTR_DESTROY = plainCall("posix_spawnattr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWNATTR_SETFLAGS = plainCall("posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
    private static final MethodHandle SPAWNATTR_SETPGROUP = plainCall("posix_spawnattr_setpgroup", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SPAWNATTR_SETSIGMASK = plainCall("posix_spawnattr_setsigmask", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SPAWNATTR_SETSIGDEFAULT = plainCall("posix_spawnattr_setsigdefault", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SIGEMPTYSET = plainCall("sigemptyset", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SIGFILLSET = plainCall("sigfillset", FunctionDescriptor.of(JAVA_INT, ADDRESS));

    private LibCSpawn() {
    }

    /** Returns 0 or an error number (posix_spawn does not set errno). */
    static int posixSpawnp(MemorySegment pid, MemorySegment file, MemorySegment fileActions, MemorySegment attributes,
                           MemorySegment argv, MemorySegment envp) {
        try {
            return (int) POSIX_SPAWNP.invokeExact(pid, file, fileActions, attributes, argv, envp);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fileActionsInit(MemorySegment actions) {
        return invokeInt(FILE_ACTIONS_INIT, actions);
    }

    static int fileActionsDestroy(MemorySegment actions) {
        return invokeInt(FILE_ACTIONS_DESTROY, actions);
    }

    static int fileActionsAddDup2(MemorySegment actions, int fd, int newFd) {
        try {
            return (int) FILE_ACTIONS_ADDDUP2.invokeExact(actions, fd, newFd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fileActionsAddClose(MemorySegment actions, int fd) {
        return invokeInt(FILE_ACTIONS_ADDCLOSE, actions, fd);
    }

    static boolean hasFileActionsAddCloseFrom() {
        return FILE_ACTIONS_ADDCLOSEFROM != null;
    }

    /** Closes every descriptor from {@code lowFd} up in the child; only if {@link #hasFileActionsAddCloseFrom()}. */
    static int fileActionsAddCloseFrom(MemorySegment actions, int lowFd) {
        return invokeInt(FILE_ACTIONS_ADDCLOSEFROM, actions, lowFd);
    }

    static int spawnAttrInit(MemorySegment attributes) {
        return invokeInt(SPAWNATTR_INIT, attributes);
    }

    static int spawnAttrDestroy(MemorySegment attributes) {
        return invokeInt(SPAWNATTR_DESTROY, attributes);
    }

    static int spawnAttrSetFlags(MemorySegment attributes, short flags) {
        try {
            return (int) SPAWNATTR_SETFLAGS.invokeExact(attributes, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int spawnAttrSetPgroup(MemorySegment attributes, int pgroup) {
        return invokeInt(SPAWNATTR_SETPGROUP, attributes, pgroup);
    }

    static int spawnAttrSetSigmask(MemorySegment attributes, MemorySegment sigset) {
        return invokeInt(SPAWNATTR_SETSIGMASK, attributes, sigset);
    }

    static int spawnAttrSetSigdefault(MemorySegment attributes, MemorySegment sigset) {
        return invokeInt(SPAWNATTR_SETSIGDEFAULT, attributes, sigset);
    }

    static int sigemptyset(MemorySegment sigset) {
        return invokeInt(SIGEMPTYSET, sigset);
    }

    static int sigfillset(MemorySegment sigset) {
        return invokeInt(SIGFILLSET, sigset);
    }
}
