package dev.socketserver.internal.linux;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static dev.socketserver.internal.linux.LibCLinker.criticalErrnoCall;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An epoll instance: descriptors registered with the events they are watched for, a poll that
 * returns what is ready now without blocking, and a wait that blocks, which another thread can end
 * for good ({@link #wakeForever()}, on an instance opened wakeable). Linux only; safe from any thread.
 */
public final class Epoll implements Closeable {
    public static final int IN = 0x1;
    public static final int OUT = 0x4;
    public static final int ERR = 0x8;
    public static final int HUP = 0x10;
    public static final int RDHUP = 0x2000;
    public static final int ONESHOT = 1 << 30;
    public static final int EDGE_TRIGGERED = 1 << 31;

    private static final int ADD = 1;
    private static final int DELETE = 2;
    private static final int MODIFY = 3;
    private static final int EPOLL_CLOEXEC = 02000000;
    /** The data of the event a {@link #wake()} makes. */
    public static final long WAKE_DATA = -1;
    // struct epoll_event is packed on x86-64 (data right after the 4-byte events) and aligned elsewhere
    private static final boolean PACKED = System.getProperty("os.arch").equals("amd64") || System.getProperty("os.arch").equals("x86_64");
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private static final MethodHandle CREATE = criticalErrnoCall("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CONTROL = criticalErrnoCall("epoll_ctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle POLL = criticalErrnoCall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle WAIT = LibCLinker.errnoCall("epoll_wait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    private final int fd;
    private final int wakeFd;
    private final MemorySegment waitState;   // for the one thread that calls await
    private final MemorySegment waitEvent;

    private Epoll(int fd, int wakeFd) {
        this.fd = fd;
        this.wakeFd = wakeFd;
        Arena arena = Arena.ofAuto();
        this.waitState = LibC.newCallState(arena);
        this.waitEvent = arena.allocate(EVENT_SIZE, 8);
    }

    /**
     * A new epoll instance (close-on-exec); {@code wakeable}: with an eventfd of its own for
     * {@link #wakeForever()}, for an instance a thread blocks in.
     */
    public static Epoll open(boolean wakeable) throws IOException {
        int[] errno = new int[1];
        int fd;
        try {
            fd = (int) CREATE.invokeExact(MemorySegment.ofArray(errno), EPOLL_CLOEXEC);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (fd < 0) {
            throw LibC.error("epoll_create1", "", errno[0]);
        }
        if (!wakeable) {
            return new Epoll(fd, -1);
        }
        int wakeFd = -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = LibC.newCallState(arena);
            wakeFd = LibC.eventfd(state, 0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
            if (wakeFd < 0) {
                throw LibC.error("eventfd", "", LibC.errno(state));
            }
            Epoll epoll = new Epoll(fd, wakeFd);
            epoll.control(ADD, wakeFd, IN, WAKE_DATA);
            return epoll;
        } catch (IOException | RuntimeException e) {
            SocketDescriptors.close(fd);
            if (wakeFd >= 0) {
                SocketDescriptors.close(wakeFd);
            }
            throw e;
        }
    }

    /** The epoll instance's own descriptor, to register it in another one. */
    public int fd() {
        return fd;
    }

    /** Watches {@code target} for {@code events}; {@code data} comes back with each of them. */
    public void add(int target, int events, long data) throws IOException {
        control(ADD, target, events, data);
    }

    /** Changes what {@code target} is watched for (and re-arms a one-shot registration). */
    public void modify(int target, int events, long data) throws IOException {
        control(MODIFY, target, events, data);
    }

    /** Stops watching {@code target}. */
    public void delete(int target) throws IOException {
        control(DELETE, target, 0, 0);
    }

    private void control(int op, int target, int events, long data) throws IOException {
        byte[] event = new byte[EVENT_SIZE];
        MemorySegment segment = MemorySegment.ofArray(event);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        int[] errno = new int[1];
        int r;
        try {
            r = (int) CONTROL.invokeExact(MemorySegment.ofArray(errno), fd, op, target, segment);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r != 0) {
            throw LibC.error("epoll_ctl", "fd " + target, errno[0]);
        }
    }

    /** The events ready now, without blocking; returns how many {@code events} holds. */
    public int poll(Events events) throws IOException {
        int[] errno = new int[1];
        int n;
        try {
            n = (int) POLL.invokeExact(MemorySegment.ofArray(errno), fd, events.segment, events.capacity, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n < 0) {
            if (errno[0] == Errno.EINTR) {
                return 0;
            }
            throw LibC.error("epoll_wait", "fd " + fd, errno[0]);
        }
        return n;
    }

    /**
     * Blocks until something registered is ready, at most {@code timeoutMillis} (-1: no limit), and
     * says whether it is; the events themselves are left for {@link #poll}. One thread at a time.
     *
     * @return false on a timeout or once {@link #wakeForever()} was called
     */
    public boolean await(int timeoutMillis) throws IOException {
        int n;
        try {
            n = (int) WAIT.invokeExact(waitState, fd, waitEvent, 1, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n < 0) {
            int errno = LibC.errno(waitState);
            if (errno == Errno.EINTR) {
                return true;   // the caller polls and finds out
            }
            throw LibC.error("epoll_wait", "fd " + fd, errno);
        }
        return n > 0 && waitEvent.get(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET) != WAKE_DATA;
    }

    /**
     * Blocks until something registered is ready or {@code timeoutMillis} passes (-1: no limit),
     * and fills {@code events} (which must be {@linkplain Events#allocate native}) with what is;
     * returns how many. One thread at a time. An event whose data is {@link #WAKE_DATA} is a
     * {@link #wake()}: {@link #clearWake()} before waiting again.
     */
    public int wait(Events events, int timeoutMillis) throws IOException {
        int n;
        try {
            n = (int) WAIT.invokeExact(waitState, fd, events.segment, events.capacity, timeoutMillis);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n < 0) {
            int errno = LibC.errno(waitState);
            if (errno == Errno.EINTR) {
                return 0;
            }
            throw LibC.error("epoll_wait", "fd " + fd, errno);
        }
        return n;
    }

    /** Ends a current or the next {@link #wait} (on a wakeable instance) until {@link #clearWake()}; any thread. */
    public void wake() {
        wakeForever();
    }

    /** Takes back the {@link #wake()}s so far, after a wait returned one; the thread that waits. */
    public void clearWake() {
        try (Arena arena = Arena.ofConfined()) {
            LibC.eventfdRead(LibC.newCallState(arena), wakeFd, arena.allocate(ValueLayout.JAVA_LONG));   // EAGAIN if none: non-blocking
        }
    }

    /** Makes a current {@link #await} and every later one return at once; only on a wakeable instance. */
    public void wakeForever() {
        if (wakeFd < 0) {
            throw new IllegalStateException("this epoll instance was opened without a wake-up descriptor");
        }
        try (Arena arena = Arena.ofConfined()) {
            LibC.eventfdWrite(LibC.newCallState(arena), wakeFd, 1);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (wakeFd >= 0) {
                SocketDescriptors.close(wakeFd);
            }
        } finally {
            SocketDescriptors.close(fd);
        }
    }

    /** Room for the events of one {@link #poll}, in a Java array; for one thread at a time. */
    public static final class Events {
        private final int capacity;
        private final MemorySegment segment;

        public Events(int capacity) {
            this(capacity, MemorySegment.ofArray(new byte[capacity * EVENT_SIZE]));
        }

        private Events(int capacity, MemorySegment segment) {
            this.capacity = capacity;
            this.segment = segment;
        }

        /** Room for {@code capacity} events in native memory, freed with {@code arena}: for {@link #wait}, which blocks. */
        public static Events allocate(int capacity, Arena arena) {
            return new Events(capacity, arena.allocate((long) capacity * EVENT_SIZE, 8));
        }

        /** The events that fired for the {@code i}th entry. */
        public int events(int i) {
            return segment.get(ValueLayout.JAVA_INT_UNALIGNED, (long) i * EVENT_SIZE);
        }

        /** The data registered with the {@code i}th entry. */
        public long data(int i) {
            return segment.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
        }
    }
}
