import java.io.IOException;
import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A measurement, not part of the build (issue 16: "then io_uring where the kernel allows"): a
 * single-threaded echo server over io_uring through FFM, without liburing. Every connection keeps
 * one receive or one send in flight; completions are taken from the completion ring, and the next
 * operations are queued in the submission ring and handed to the kernel with the wait for the
 * next completions, in one io_uring_enter a round, so that one system call carries the reads and
 * writes of many connections (the epoll servers make a read and a write a message).
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED bench/prototypes/UringEcho.java [PORT]
 * </pre>
 *
 * Prints "listening on tcp://127.0.0.1:PORT". x86-64 Linux only (system call numbers); not
 * production code: no limits, no timeouts, a buffer of 2 KiB per connection (64-byte echo).
 */
public class UringEcho {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    static MethodHandle call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
    }

    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    static final MethodHandle SETSOCKOPT = call("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, INT));
    static final MethodHandle BIND = call("bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT));
    static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(INT, INT, INT));
    static final MethodHandle GETSOCKNAME = call("getsockname", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(INT, INT));
    static final MethodHandle MMAP = call("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, LONG, INT, INT, INT, LONG));
    static final MethodHandle SETUP = call("syscall", FunctionDescriptor.of(LONG, LONG, INT, ValueLayout.ADDRESS), Linker.Option.firstVariadicArg(1));
    // blocking (it waits for completions): not critical, so that the thread is at a safepoint meanwhile
    static final MethodHandle ENTER = call("syscall", FunctionDescriptor.of(LONG, LONG, INT, INT, INT, INT, ValueLayout.ADDRESS, LONG),
            Linker.Option.firstVariadicArg(1));

    static final long SYS_IO_URING_SETUP = 425;
    static final long SYS_IO_URING_ENTER = 426;
    static final int IORING_ENTER_GETEVENTS = 1;
    static final int IORING_FEAT_SINGLE_MMAP = 1;
    static final long IORING_OFF_SQES = 0x10000000L;
    static final byte OP_ACCEPT = 13;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    static final int ENTRIES = 4096;
    static final int BUFFER = 2048;
    static final int MAX_FD = 65536;
    static final int COMPLETIONS_PER_ROUND = ENTRIES / 2;   // each queues at most one SQE: the SQ never overflows
    static final int ACCEPT_TAG = -1;
    static final VarHandle INT_HANDLE = INT.varHandle();

    // the rings, as the kernel maps them
    static MemorySegment sq, cq, sqes;
    static int sqHead, sqTail, sqMask, sqArray, cqHead, cqTail, cqMask, cqes;
    static int localTail;   // SQEs filled but not yet published
    static int pendingSubmit;

    public static void main(String[] args) throws Throwable {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Arena arena = Arena.global();
        int listener = listen(arena, port);
        int ring = setUp(arena);
        MemorySegment[] buffer = new MemorySegment[MAX_FD];
        int[] sendOffset = new int[MAX_FD];
        int[] sendLength = new int[MAX_FD];
        MemorySegment one = arena.allocate(INT);
        one.set(INT, 0, 1);
        queue(OP_ACCEPT, listener, MemorySegment.NULL, 0, 0x80000 /* SOCK_CLOEXEC */, ACCEPT_TAG, 0);
        while (true) {
            int submit = publish();
            long r = (long) ENTER.invokeExact(SYS_IO_URING_ENTER, ring, submit, 1, IORING_ENTER_GETEVENTS, MemorySegment.NULL, 0L);
            if (r < 0) {
                continue;   // EINTR
            }
            int head = (int) INT_HANDLE.get(cq, (long) cqHead);
            int tail = (int) INT_HANDLE.getAcquire(cq, (long) cqTail);
            for (int taken = 0; head != tail && taken < COMPLETIONS_PER_ROUND; head++, taken++) {
                long cqe = cqes + (long) (head & cqMask) * 16;
                long data = cq.get(LONG, cqe);
                int res = cq.get(INT, cqe + 8);
                int fd = (int) (data >> 8);
                int op = (int) (data & 0xff);
                if (data == ACCEPT_TAG) {
                    if (res >= 0) {
                        int ignored = (int) SETSOCKOPT.invokeExact(res, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, one, 4);
                        if (res >= MAX_FD) {
                            throw new IllegalStateException("descriptor " + res + ": this prototype holds " + MAX_FD);
                        }
                        if (buffer[res] == null) {
                            buffer[res] = arena.allocate(BUFFER, 64);
                        }
                        queue(OP_RECV, res, buffer[res], BUFFER, 0, res, OP_RECV);
                    }
                    queue(OP_ACCEPT, listener, MemorySegment.NULL, 0, 0x80000, ACCEPT_TAG, 0);
                } else if (op == OP_RECV) {
                    if (res <= 0) {
                        int ignored = (int) CLOSE.invokeExact(fd);
                        continue;
                    }
                    sendOffset[fd] = 0;
                    sendLength[fd] = res;
                    queue(OP_SEND, fd, buffer[fd], res, 0x4000 /* MSG_NOSIGNAL */, fd, OP_SEND);
                } else if (op == OP_SEND) {
                    if (res < 0) {
                        int ignored = (int) CLOSE.invokeExact(fd);
                        continue;
                    }
                    sendOffset[fd] += res;
                    if (sendOffset[fd] < sendLength[fd]) {
                        queue(OP_SEND, fd, buffer[fd].asSlice(sendOffset[fd]), sendLength[fd] - sendOffset[fd], 0x4000, fd, OP_SEND);
                    } else {
                        queue(OP_RECV, fd, buffer[fd], BUFFER, 0, fd, OP_RECV);
                    }
                }
            }
            INT_HANDLE.setRelease(cq, (long) cqHead, head);
        }
    }

    static int listen(Arena arena, int port) throws Throwable {
        MemorySegment one = arena.allocate(INT);
        one.set(INT, 0, 1);
        int listener = (int) SOCKET.invokeExact(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
        int ignored = (int) SETSOCKOPT.invokeExact(listener, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, one, 4);
        MemorySegment address = arena.allocate(16);
        ValueLayout.OfShort bigShort = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) 2);
        address.set(bigShort, 2, (short) port);
        address.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
        if ((int) BIND.invokeExact(listener, address, 16) != 0 || (int) LISTEN.invokeExact(listener, 4096) != 0) {
            throw new IOException("bind/listen failed");
        }
        MemorySegment length = arena.allocate(INT);
        length.set(INT, 0, 16);
        ignored = (int) GETSOCKNAME.invokeExact(listener, address, length);
        System.out.println("listening on tcp://127.0.0.1:" + Short.toUnsignedInt(address.get(bigShort, 2)));
        return listener;
    }

    static int setUp(Arena arena) throws Throwable {
        MemorySegment params = arena.allocate(120, 8);
        int ring = (int) (long) SETUP.invokeExact(SYS_IO_URING_SETUP, ENTRIES, params);
        if (ring < 0) {
            throw new IOException("io_uring_setup failed: the kernel does not allow io_uring here");
        }
        int sqEntries = params.get(INT, 0);
        int cqEntries = params.get(INT, 4);
        int features = params.get(INT, 20);
        if ((features & IORING_FEAT_SINGLE_MMAP) == 0) {
            throw new IOException("this prototype needs IORING_FEAT_SINGLE_MMAP (Linux 5.4)");
        }
        sqHead = params.get(INT, 40);
        sqTail = params.get(INT, 44);
        int sqMaskAt = params.get(INT, 48);
        sqArray = params.get(INT, 64);
        cqHead = params.get(INT, 80);
        cqTail = params.get(INT, 84);
        int cqMaskAt = params.get(INT, 88);
        cqes = params.get(INT, 100);
        long ringSize = Math.max(sqArray + (long) sqEntries * 4, cqes + (long) cqEntries * 16);
        MemorySegment rings = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, ringSize, 3 /* PROT_READ | PROT_WRITE */,
                0x1 | 0x8000 /* MAP_SHARED | MAP_POPULATE */, ring, 0L);
        sq = rings.reinterpret(ringSize);
        cq = sq;
        sqMask = sq.get(INT, sqMaskAt);   // params give where each field is in the ring, not its value
        cqMask = cq.get(INT, cqMaskAt);
        MemorySegment entries = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, (long) sqEntries * 64, 3, 0x1 | 0x8000, ring, IORING_OFF_SQES);
        sqes = entries.reinterpret((long) sqEntries * 64);
        localTail = (int) INT_HANDLE.get(sq, (long) sqTail);
        return ring;
    }

    /** Fills the next SQE; {@link #publish()} hands the filled ones to the kernel. */
    static void queue(byte opcode, int fd, MemorySegment buffer, int length, int opFlags, long tag, int op) {
        int index = localTail & sqMask;
        long sqe = (long) index * 64;
        sqes.asSlice(sqe, 64).fill((byte) 0);
        sqes.set(ValueLayout.JAVA_BYTE, sqe, opcode);
        sqes.set(INT, sqe + 4, fd);
        sqes.set(LONG, sqe + 16, buffer.address());
        sqes.set(INT, sqe + 24, length);
        sqes.set(INT, sqe + 28, opFlags);
        sqes.set(LONG, sqe + 32, tag == ACCEPT_TAG ? ACCEPT_TAG : (tag << 8) | op);
        sq.set(INT, sqArray + (long) index * 4, index);
        localTail++;
        pendingSubmit++;
    }

    /** Publishes the filled SQEs (a release store of the tail) and returns how many to submit. */
    static int publish() {
        INT_HANDLE.setRelease(sq, (long) sqTail, localTail);
        int n = pendingSubmit;
        pendingSubmit = 0;
        return n;
    }
}
