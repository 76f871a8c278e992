package dev.socketserver.internal.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The few libc functions the JDK does not reach (AF_UNIX datagram sockets, abstract addresses),
 * called through the Foreign Function and Memory API. Linux only. Every call returns the raw
 * result; {@link #errno} reads the error of the last call made with the same state segment.
 */
final class LibC {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_NONBLOCK = 04000;
    static final int SOCK_CLOEXEC = 02000000;
    static final int EFD_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x1;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;

    /** {@code struct sockaddr_un}: a 2-byte family and 108 bytes of path. */
    static final int SOCKADDR_UN_SIZE = 110;
    static final int SUN_PATH_OFFSET = 2;
    static final int SUN_PATH_SIZE = 108;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    static final int POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = errnoCall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = errnoCall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = errnoCall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = errnoCall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle POLL = errnoCall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCHMOD = errnoCall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = errnoCall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = errnoCall("eventfd_write", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD_READ = errnoCall("eventfd_read", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LOOKUP.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(1024, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));

    private LibC() {
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO);
    }

    /** A segment to receive errno, one per thread of use (or guarded by the caller). */
    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** An exception that names the operation, the address, the errno and its text: {@code bind unixgram:/x: EACCES (Permission denied)}. */
    static IOException error(String operation, String target, int errno) {
        String message = operation + (target.isEmpty() ? "" : " " + target) + ": " + Errno.name(errno) + " (" + strerror(errno) + ")";
        return errno == Errno.ECONNREFUSED ? new java.net.ConnectException(message)
                : errno == 98 ? new java.net.BindException(message) : new IOException(message);
    }

    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int socket(MemorySegment state, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(state, domain, type, protocol);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) BIND.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int connect(MemorySegment state, int fd, MemorySegment address, int length) {
        try {
            return (int) CONNECT.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            return (int) GETSOCKNAME.invokeExact(state, fd, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long sendto(MemorySegment state, int fd, MemorySegment buffer, long length, int flags, MemorySegment address, int addressLength) {
        try {
            return (long) SENDTO.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long recvfrom(MemorySegment state, int fd, MemorySegment buffer, long length, int flags, MemorySegment address, MemorySegment addressLength) {
        try {
            return (long) RECVFROM.invokeExact(state, fd, buffer, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int poll(MemorySegment state, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(state, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int close(MemorySegment state, int fd) {
        try {
            return (int) CLOSE.invokeExact(state, fd);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int setsockopt(MemorySegment state, int fd, int level, int option, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int fchmod(MemorySegment state, int fd, int mode) {
        try {
            return (int) FCHMOD.invokeExact(state, fd, mode);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfd(MemorySegment state, int initial, int flags) {
        try {
            return (int) EVENTFD.invokeExact(state, initial, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfdWrite(MemorySegment state, int fd, long value) {
        try {
            return (int) EVENTFD_WRITE.invokeExact(state, fd, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int eventfdRead(MemorySegment state, int fd, MemorySegment value) {
        try {
            return (int) EVENTFD_READ.invokeExact(state, fd, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- descriptors and processes: accept4, posix_spawn, pidfd, waitid ---------------------------
    // Used by SocketDescriptors, Spawner and ChildReaper. The posix_spawn functions return an error
    // number instead of setting errno, so they are linked without capturing it.

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SO_REUSEADDR = 2;
    static final int SO_PEERCRED = 17;
    static final int SO_ACCEPTCONN = 30;
    /** {@code struct sockaddr_storage}: room for any address. */
    static final int SOCKADDR_STORAGE_SIZE = 128;
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
    static final short POSIX_SPAWN_SETPGROUP = 0x02;
    static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    /** Generous upper bounds of glibc's opaque types (80, 336 and 128 bytes on x86_64 and aarch64). */
    static final int SPAWN_FILE_ACTIONS_SIZE = 256;
    static final int SPAWNATTR_SIZE = 512;
    static final int SIGSET_SIZE = 128;
    private static final long SYS_PIDFD_OPEN = 434;   // the same number on every architecture (new-style syscall table)

    private static final MethodHandle ACCEPT4 = errnoCall("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = errnoCall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle READ = errnoCall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = errnoCall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle KILL = errnoCall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETPGID = errnoCall("getpgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITID = errnoCall("waitid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle PIDFD_OPEN = optionalErrnoCall("pidfd_open", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SYSCALL_2 = LINKER.downcallHandle(LOOKUP.find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(1), CAPTURE_ERRNO);
    private static final MethodHandle GETUID = plainCall("getuid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETGID = plainCall("getgid", FunctionDescriptor.of(JAVA_INT));
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

    private static MethodHandle optionalErrnoCall(String name, FunctionDescriptor descriptor) {
        return LOOKUP.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)).orElse(null);
    }

    private static MethodHandle plainCall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private static MethodHandle optionalPlainCall(String name, FunctionDescriptor descriptor) {
        return LOOKUP.find(name).map(symbol -> LINKER.downcallHandle(symbol, descriptor)).orElse(null);
    }

    static int accept4(MemorySegment state, int fd, MemorySegment address, MemorySegment addressLength, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(state, fd, address, addressLength, flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int getsockopt(MemorySegment state, int fd, int level, int option, MemorySegment value, MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(state, fd, level, option, value, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long read(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            return (long) READ.invokeExact(state, fd, buffer, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long write(MemorySegment state, int fd, MemorySegment buffer, long length) {
        try {
            return (long) WRITE.invokeExact(state, fd, buffer, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
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

    private static int invokeInt(MethodHandle handle, MemorySegment segment) {
        try {
            return (int) handle.invokeExact(segment);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int invokeInt(MethodHandle handle, MemorySegment segment, MemorySegment other) {
        try {
            return (int) handle.invokeExact(segment, other);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int invokeInt(MethodHandle handle, MemorySegment segment, int value) {
        try {
            return (int) handle.invokeExact(segment, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ---- what a supervisor shares with its workers: pipe2, fcntl, memfd_create, mmap -------------
    // Used by SupervisorLink and SharedCounters.

    static final int O_CLOEXEC = 02000000;
    static final int F_GETFD = 1;
    static final int F_SETFD = 2;
    static final int F_DUPFD_CLOEXEC = 1030;
    static final int FD_CLOEXEC = 1;
    static final int MFD_CLOEXEC = 1;
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 1;
    static final int SEEK_END = 2;
    /** {@code MAP_FAILED}: {@code (void *) -1}. */
    static final long MAP_FAILED = -1L;

    private static final MethodHandle PIPE2 = errnoCall("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LOOKUP.find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), CAPTURE_ERRNO);
    private static final MethodHandle MEMFD_CREATE = errnoCall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = errnoCall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle LSEEK = errnoCall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = errnoCall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = errnoCall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    /** Fills {@code fds} (two ints) with a pipe's read and write ends. */
    static int pipe2(MemorySegment state, MemorySegment fds, int flags) {
        return invokeInt(PIPE2, state, fds, flags);
    }

    /** {@code fcntl} with an int argument ({@code F_DUPFD_CLOEXEC}, {@code F_SETFD}), or 0 for the commands that take none. */
    static int fcntl(MemorySegment state, int fd, int command, int argument) {
        try {
            return (int) FCNTL.invokeExact(state, fd, command, argument);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int memfdCreate(MemorySegment state, MemorySegment name, int flags) {
        return invokeInt(MEMFD_CREATE, state, name, flags);
    }

    static int ftruncate(MemorySegment state, int fd, long length) {
        try {
            return (int) FTRUNCATE.invokeExact(state, fd, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long lseek(MemorySegment state, int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(state, fd, offset, whence);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** The mapping's address, or {@link #MAP_FAILED}. */
    static MemorySegment mmap(MemorySegment state, MemorySegment address, long length, int protection, int flags, int fd, long offset) {
        try {
            return (MemorySegment) MMAP.invokeExact(state, address, length, protection, flags, fd, offset);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static int munmap(MemorySegment state, MemorySegment address, long length) {
        try {
            return (int) MUNMAP.invokeExact(state, address, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int invokeInt(MethodHandle handle, MemorySegment state, MemorySegment segment, int value) {
        try {
            return (int) handle.invokeExact(state, segment, value);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static short family(MemorySegment sockaddr) {
        return sockaddr.get(JAVA_SHORT, 0);
    }
}
