import java.io.IOException;
import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;

/**
 * A measurement, not part of the build (issue 16: "measure what an FFM transport gains over the
 * NIO selector on the same loop"): one single-threaded, level-triggered echo loop written twice,
 * the same way as bench/c/epoll_echo.c, once over the JDK's NIO (a Selector, its selected-key set,
 * SocketChannel.read and write on a direct buffer) and once over epoll and the socket calls
 * directly through FFM (one epoll_wait per turn into a native array of events, read and write as
 * critical downcalls on the same native buffer, no key objects). Whatever differs between the two
 * is the transport; whatever both cost beyond the C server is the JVM.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED bench/prototypes/LoopTransports.java nio|ffm [PORT]
 * </pre>
 *
 * Prints "listening on tcp://127.0.0.1:PORT". Not production code: no limits, no timeouts, and a
 * connection whose echo the socket cannot take at once keeps what is left in a Java array.
 */
public class LoopTransports {
    public static void main(String[] args) throws Throwable {
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        if (args.length > 0 && args[0].equals("ffm")) {
            Ffm.serve(port);
        } else {
            Nio.serve(port);
        }
    }

    static final class Nio {
        static void serve(int port) throws IOException {
            Selector selector = Selector.open();
            ServerSocketChannel listener = ServerSocketChannel.open();
            listener.bind(new InetSocketAddress("127.0.0.1", port), 4096);
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("listening on tcp://127.0.0.1:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
            ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
            while (true) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    if (key.channel() == listener) {
                        SocketChannel accepted;
                        while ((accepted = listener.accept()) != null) {
                            accepted.configureBlocking(false);
                            accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
                            accepted.register(selector, SelectionKey.OP_READ);
                        }
                        continue;
                    }
                    SocketChannel channel = (SocketChannel) key.channel();
                    try {
                        ByteBuffer pending = (ByteBuffer) key.attachment();
                        if (pending != null) {
                            channel.write(pending);
                            if (pending.hasRemaining()) {
                                continue;
                            }
                            key.attach(null);
                            key.interestOps(SelectionKey.OP_READ);
                        }
                        buffer.clear();
                        int n = channel.read(buffer);
                        if (n < 0) {
                            channel.close();
                            continue;
                        }
                        buffer.flip();
                        channel.write(buffer);
                        if (buffer.hasRemaining()) {
                            key.attach(ByteBuffer.allocate(buffer.remaining()).put(buffer).flip());
                            key.interestOps(SelectionKey.OP_WRITE);
                        }
                    } catch (IOException e) {
                        channel.close();
                    }
                }
            }
        }
    }

    static final class Ffm {
        static final Linker LINKER = Linker.nativeLinker();
        static final SymbolLookup LIBC = LINKER.defaultLookup();
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final int EAGAIN = 11;
        static final int EVENT_SIZE = 12;   // struct epoll_event is packed on x86-64
        static final int MAX_EVENTS = 512;

        static MethodHandle call(String name, FunctionDescriptor descriptor, Linker.Option... options) {
            return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), descriptor, options);
        }

        static final Linker.Option ERRNO_STATE = Linker.Option.captureCallState("errno");
        static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle SETSOCKOPT = call("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle BIND = call("bind", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle GETSOCKNAME = call("getsockname", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        static final MethodHandle ACCEPT4 = call("accept4", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.critical(false));
        static final MethodHandle EPOLL_CREATE1 = call("epoll_create1", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle EPOLL_CTL = call("epoll_ctl", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), Linker.Option.critical(false));
        // blocking: not critical, so that the thread is at a safepoint while it waits, as in NIO's JNI call
        static final MethodHandle EPOLL_WAIT = call("epoll_wait", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        static final MethodHandle READ = call("read", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_STATE, Linker.Option.critical(false));
        static final MethodHandle WRITE = call("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), ERRNO_STATE, Linker.Option.critical(false));
        static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        static void serve(int port) throws Throwable {
            Arena arena = Arena.global();
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            int listener = (int) SOCKET.invokeExact(2 /* AF_INET */, 1 | 04000 /* SOCK_STREAM | SOCK_NONBLOCK */, 0);
            int ignored = (int) SETSOCKOPT.invokeExact(listener, 1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, one, 4);
            MemorySegment address = arena.allocate(16);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) 2);
            address.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2, (short) port);
            address.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
            if ((int) BIND.invokeExact(listener, address, 16) != 0 || (int) LISTEN.invokeExact(listener, 4096) != 0) {
                throw new IOException("bind/listen failed");
            }
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, 16);
            ignored = (int) GETSOCKNAME.invokeExact(listener, address, length);
            int bound = Short.toUnsignedInt(address.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2));
            System.out.println("listening on tcp://127.0.0.1:" + bound);

            int epoll = (int) EPOLL_CREATE1.invokeExact(0);
            MemorySegment event = arena.allocate(EVENT_SIZE);
            control(epoll, 1 /* ADD */, listener, 0x1 /* IN */, event);
            MemorySegment events = arena.allocate((long) EVENT_SIZE * MAX_EVENTS, 8);
            MemorySegment buffer = arena.allocate(65536, 64);
            byte[][] pending = new byte[1024][];
            while (true) {
                int n = (int) EPOLL_WAIT.invokeExact(epoll, events, MAX_EVENTS, -1);
                for (int i = 0; i < n; i++) {
                    int fd = (int) events.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + 4);
                    if (fd == listener) {
                        int accepted;
                        while ((accepted = (int) ACCEPT4.invokeExact(listener, MemorySegment.NULL, MemorySegment.NULL, 04000 | 02000000)) >= 0) {
                            ignored = (int) SETSOCKOPT.invokeExact(accepted, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, one, 4);
                            if (accepted >= pending.length) {
                                pending = java.util.Arrays.copyOf(pending, Math.max(accepted + 1, pending.length * 2));
                            }
                            control(epoll, 1, accepted, 0x1, event);
                        }
                        continue;
                    }
                    byte[] left = pending[fd];
                    if (left != null) {
                        MemorySegment.copy(left, 0, buffer, ValueLayout.JAVA_BYTE, 0, left.length);
                        long w = (long) WRITE.invokeExact(state, fd, buffer, (long) left.length);
                        if (w < 0 && (int) ERRNO.get(state, 0L) != EAGAIN) {
                            closeConnection(fd, pending);
                            continue;
                        }
                        if (w < left.length) {
                            pending[fd] = java.util.Arrays.copyOfRange(left, (int) Math.max(w, 0), left.length);
                            continue;
                        }
                        pending[fd] = null;
                        control(epoll, 3 /* MOD */, fd, 0x1, event);
                    }
                    long r = (long) READ.invokeExact(state, fd, buffer, 65536L);
                    if (r == 0 || (r < 0 && (int) ERRNO.get(state, 0L) != EAGAIN)) {
                        closeConnection(fd, pending);
                        continue;
                    }
                    if (r < 0) {
                        continue;
                    }
                    long w = (long) WRITE.invokeExact(state, fd, buffer, r);
                    if (w < 0 && (int) ERRNO.get(state, 0L) != EAGAIN) {
                        closeConnection(fd, pending);
                        continue;
                    }
                    if (w < r) {
                        pending[fd] = buffer.asSlice(Math.max(w, 0), r - Math.max(w, 0)).toArray(ValueLayout.JAVA_BYTE);
                        control(epoll, 3, fd, 0x4 /* OUT */, event);
                    }
                }
            }
        }

        static void control(int epoll, int op, int fd, int events, MemorySegment event) throws Throwable {
            event.set(ValueLayout.JAVA_INT_UNALIGNED, 0, events);
            event.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, fd);
            int r = (int) EPOLL_CTL.invokeExact(epoll, op, fd, event);
            if (r != 0) {
                throw new IOException("epoll_ctl failed for fd " + fd);
            }
        }

        static void closeConnection(int fd, byte[][] pending) throws Throwable {
            pending[fd] = null;
            int ignored = (int) CLOSE.invokeExact(fd);
        }
    }
}
