package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

/**
 * Starts a program with a chosen descriptor as its standard input and output, through
 * {@code posix_spawnp}: what {@link ProcessBuilder} cannot do, and what inetd and {@code tcpserver}
 * do with a connected socket.
 *
 * <p>The child gets:
 * <ul>
 *   <li>descriptor 0 and 1 as given (or the parent's own, for {@link #INHERIT}), the parent's
 *       standard error as descriptor 2, and the descriptors passed as {@code inherited} (if any) as
 *       3, 4, ...; <b>every other descriptor is closed</b>, close-on-exec or
 *       not, so no listening socket or other connection leaks into it
 *       ({@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34 and later; before that, each
 *       descriptor open in {@code /proc/self/fd} at the time of the call is closed one by one);</li>
 *   <li>exactly the environment given, and {@code argv} as given, the program found on the
 *       parent's {@code PATH} when {@code argv[0]} has no slash;</li>
 *   <li>a process group of its own, whose id is its pid, so that {@link ChildReaper} can signal
 *       the program and whatever it started; an empty signal mask and every signal at its default
 *       action, whatever the JVM's threads block or ignore.</li>
 * </ul>
 *
 * <p>Every method is static and safe from any thread. A call blocks only until the child has
 * called {@code exec} (glibc spawns with {@code CLONE_VFORK}), and reports a program that cannot be
 * run (not found, not executable) as an {@link IOException} instead of a child that exits 127.
 * The caller must reap the child: hand the pid to a {@link ChildReaper}.
 */
public final class Spawner {
    /** For {@code stdin} or {@code stdout}: keep the parent's descriptor. */
    public static final int INHERIT = -1;

    private Spawner() {
    }

    /**
     * Spawns {@code argv} with {@code socketFd} as both standard input and standard output, the
     * shape of an inetd or {@code tcpserver} child. The parent keeps its copy of the descriptor and
     * should close it once this returns, so that the child alone holds the connection.
     *
     * @return the child's pid
     */
    public static int spawn(List<String> argv, Map<String, String> environment, int socketFd) throws IOException {
        return spawn(argv, environment, socketFd, socketFd);
    }

    /**
     * Spawns {@code argv} with {@code stdin} and {@code stdout} as descriptors 0 and 1, each
     * {@link #INHERIT} to keep the parent's.
     *
     * @param environment the child's whole environment, in order; neither keys nor values may hold
     *     a NUL, and keys may not hold {@code '='}
     * @return the child's pid
     * @throws IllegalArgumentException if {@code argv} is empty or a string cannot be passed to a program
     * @throws IOException if the program cannot be started, with the errno's name ({@code ENOENT} for a
     *     program not found, {@code EACCES} for one not executable)
     */
    public static int spawn(List<String> argv, Map<String, String> environment, int stdin, int stdout) throws IOException {
        return spawn(argv, environment, stdin, stdout, List.of(), LibCSpawn.hasFileActionsAddCloseFrom());
    }

    /**
     * {@link #spawn(List, Map, int, int)}, and the child gets {@code inherited.get(i)} as
     * descriptor {@code 3 + i}, without close-on-exec.
     *
     * @param inherited descriptors of this process, each {@code 3 + inherited.size()} or more (so
     *     that none is overwritten before it is copied)
     */
    public static int spawn(List<String> argv, Map<String, String> environment, int stdin, int stdout, List<Integer> inherited) throws IOException {
        return spawn(argv, environment, stdin, stdout, inherited, LibCSpawn.hasFileActionsAddCloseFrom());
    }

    /**
     * Spawns {@code argv} with this process's standard input, output and error, {@code inherited}
     * as descriptors 3, 4, ..., in this process's own process group (not a new one): a
     * successor that takes this process's place, which a terminal's Ctrl-C or a signal to the
     * group should reach as it reached this one.
     */
    public static int spawnInSameGroup(List<String> argv, Map<String, String> environment, List<Integer> inherited) throws IOException {
        return spawn(argv, environment, INHERIT, INHERIT, inherited, LibCSpawn.hasFileActionsAddCloseFrom(), false);
    }

    /** Whether this libc closes descriptors in the child with one file action ({@code addclosefrom_np}). */
    static boolean closeFromAvailable() {
        return LibCSpawn.hasFileActionsAddCloseFrom();
    }

    /** {@link #spawn(List, Map, int, int)}, choosing how descriptors are closed in the child; for tests of the fallback. */
    static int spawn(List<String> argv, Map<String, String> environment, int stdin, int stdout, boolean useCloseFrom) throws IOException {
        return spawn(argv, environment, stdin, stdout, List.of(), useCloseFrom);
    }

    /** {@link #spawn(List, Map, int, int, List)}, choosing how descriptors are closed in the child; for tests of the fallback. */
    static int spawn(List<String> argv, Map<String, String> environment, int stdin, int stdout, List<Integer> inherited,
                     boolean useCloseFrom) throws IOException {
        return spawn(argv, environment, stdin, stdout, inherited, useCloseFrom, true);
    }

    private static int spawn(List<String> argv, Map<String, String> environment, int stdin, int stdout, List<Integer> inherited,
                             boolean useCloseFrom, boolean ownProcessGroup) throws IOException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("argv is empty: give at least the program to run");
        }
        if (stdin < INHERIT || stdout < INHERIT) {
            throw new IllegalArgumentException("a descriptor must be 0 or more, or INHERIT; got stdin " + stdin + ", stdout " + stdout);
        }
        int firstFree = 3 + inherited.size();
        for (int fd : inherited) {
            if (fd < firstFree) {
                throw new IllegalArgumentException("an inherited descriptor must be " + firstFree + " or more, so that the copies to 3.."
                        + (firstFree - 1) + " cannot overwrite it; got " + inherited);
            }
        }
        String program = argv.getFirst();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment argvArray = stringArray(arena, argv.stream().map(a -> checked(a, "argument")).toList());
            MemorySegment envp = stringArray(arena, environment.entrySet().stream().map(Spawner::variable).toList());
            MemorySegment file = arena.allocateFrom(program);
            MemorySegment actions = arena.allocate(LibCSpawn.SPAWN_FILE_ACTIONS_SIZE, 16);
            MemorySegment attributes = arena.allocate(LibCSpawn.SPAWNATTR_SIZE, 16);
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            check(LibCSpawn.fileActionsInit(actions), "posix_spawn_file_actions_init", program);
            try {
                check(LibCSpawn.spawnAttrInit(attributes), "posix_spawnattr_init", program);
                try {
                    addFileActions(actions, stdin, stdout, inherited, useCloseFrom, program);
                    setAttributes(arena, attributes, program, ownProcessGroup);
                    check(LibCSpawn.posixSpawnp(pid, file, actions, attributes, argvArray, envp), "posix_spawnp", program);
                    return pid.get(ValueLayout.JAVA_INT, 0);
                } finally {
                    LibCSpawn.spawnAttrDestroy(attributes);
                }
            } finally {
                LibCSpawn.fileActionsDestroy(actions);
            }
        }
    }

    private static void addFileActions(MemorySegment actions, int stdin, int stdout, List<Integer> inherited, boolean useCloseFrom,
                                       String program) throws IOException {
        // a dup2 onto itself clears close-on-exec (glibc 2.29 and later, as POSIX 2024 asks), so 0 -> 0 is fine too
        if (stdin != INHERIT) {
            check(LibCSpawn.fileActionsAddDup2(actions, stdin, 0), "posix_spawn_file_actions_adddup2", program);
        }
        if (stdout != INHERIT) {
            check(LibCSpawn.fileActionsAddDup2(actions, stdout, 1), "posix_spawn_file_actions_adddup2", program);
        }
        for (int i = 0; i < inherited.size(); i++) {
            check(LibCSpawn.fileActionsAddDup2(actions, inherited.get(i), 3 + i), "posix_spawn_file_actions_adddup2", program);
        }
        int firstClosed = 3 + inherited.size();
        if (useCloseFrom) {
            check(LibCSpawn.fileActionsAddCloseFrom(actions, firstClosed), "posix_spawn_file_actions_addclosefrom_np", program);
            return;
        }
        // older glibc: close what is open now; a descriptor opened later by another thread is
        // close-on-exec in the JDK and in this package, and a stale number is ignored by glibc
        for (int fd : SocketDescriptors.ownDescriptors()) {
            if (fd >= firstClosed) {
                check(LibCSpawn.fileActionsAddClose(actions, fd), "posix_spawn_file_actions_addclose", program);
            }
        }
    }

    private static void setAttributes(Arena arena, MemorySegment attributes, String program, boolean ownProcessGroup) throws IOException {
        MemorySegment none = arena.allocate(LibCSpawn.SIGSET_SIZE, 8);
        MemorySegment all = arena.allocate(LibCSpawn.SIGSET_SIZE, 8);
        LibCSpawn.sigemptyset(none);
        LibCSpawn.sigfillset(all);
        // sigfillset leaves out glibc's internal signals 32 and 33, which posix_spawn would then
        // leave ignored in the child; ask for their default action too (bit n-1 of the first word is signal n)
        all.set(ValueLayout.JAVA_LONG, 0, all.get(ValueLayout.JAVA_LONG, 0) | (1L << 31) | (1L << 32));
        check(LibCSpawn.spawnAttrSetSigmask(attributes, none), "posix_spawnattr_setsigmask", program);
        check(LibCSpawn.spawnAttrSetSigdefault(attributes, all), "posix_spawnattr_setsigdefault", program);
        short flags = (short) (LibCSpawn.POSIX_SPAWN_SETSIGMASK | LibCSpawn.POSIX_SPAWN_SETSIGDEF);
        if (ownProcessGroup) {
            check(LibCSpawn.spawnAttrSetPgroup(attributes, 0), "posix_spawnattr_setpgroup", program);
            flags |= LibCSpawn.POSIX_SPAWN_SETPGROUP;
        }
        check(LibCSpawn.spawnAttrSetFlags(attributes, flags), "posix_spawnattr_setflags", program);
    }

    private static void check(int error, String operation, String program) throws IOException {
        if (error != 0) {
            throw LibC.error(operation, program, error);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment stringArray(Arena arena, List<String> strings) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static String variable(Map.Entry<String, String> entry) {
        String key = checked(entry.getKey(), "environment variable name");
        if (key.isEmpty() || key.indexOf('=') >= 0) {
            throw new IllegalArgumentException("environment variable name must be non-empty and without '=': \"" + key + "\"");
        }
        return key + "=" + checked(entry.getValue(), "value of environment variable " + key);
    }

    private static String checked(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL character, which no program can receive: \""
                    + text.replace("\0", "\\0") + "\"");
        }
        return text;
    }
}
