import java.lang.foreign.*;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * A measurement, not part of the build (issue 16; results in
 * bench/results/2026-12-06-amd-epyc-2cpu-syscalls.md): an echo server with a virtual
 * thread per connection written as blocking code, which waits for input through a poller of its
 * own instead of the JDK's. The JDK re-arms a one-shot epoll registration for every wait
 * (epoll_ctl) and reads EAGAIN before it; this poller keeps every socket registered
 * edge-triggered and a handler waits only after a read shorter than its buffer. The poller is
 * itself a virtual thread on the handlers' carriers, as the JDK's read pollers are, so that waking
 * a handler under load crosses no thread; it parks through a platform "master" thread blocked in
 * epoll_wait only when a poll finds nothing. Prints "listening on tcp://127.0.0.1:PORT".
 *
 * <pre>
 * java --add-exports java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED bench/prototypes/VirtualThreadOwnPoller.java
 * </pre>
 *
 * Not production code: no timeouts, no limits, a socket's descriptor read through a JDK internal,
 * and a handler that is not woken if its channel is closed under it. The library's own poller
 * (dev.socketserver.internal.SocketPoller and PolledSocket) grew from it, with all of those.
 */
public class VirtualThreadOwnPoller {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final MethodHandle EPOLL_CREATE1 = LINKER.downcallHandle(LIBC.find("epoll_create1").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    static final MethodHandle EPOLL_CTL = LINKER.downcallHandle(LIBC.find("epoll_ctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    static final MethodHandle EPOLL_WAIT = LINKER.downcallHandle(LIBC.find("epoll_wait").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    static final MethodHandle EPOLL_WAIT_CRITICAL = LINKER.downcallHandle(LIBC.find("epoll_wait").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.critical(false));

    static final int EPOLLIN = 0x1, EPOLLOUT = 0x4, EPOLLERR = 0x8, EPOLLHUP = 0x10, EPOLLRDHUP = 0x2000, EPOLLONESHOT = 1 << 30, EPOLLET = 1 << 31;
    static final int ADD = 1, DEL = 2, MOD = 3;
    static final int EVENT_SIZE = 12;
    static final ValueLayout.OfLong DATA = ValueLayout.JAVA_LONG_UNALIGNED;

    static final class Conn {
        final SocketChannel channel;
        final int fd;
        volatile Thread waiter;
        volatile boolean readable = true;
        volatile boolean writable = true;

        Conn(SocketChannel channel, int fd) {
            this.channel = channel;
            this.fd = fd;
        }
    }

    static final Conn[] BY_FD = new Conn[1 << 16];
    static int ep;
    static int masterEp;
    static volatile Thread poller;

    static void ctl(int epfd, int op, int fd, int events) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EVENT_SIZE);
            ev.set(ValueLayout.JAVA_INT, 0, events);
            ev.set(DATA, 4, fd);
            int r = (int) EPOLL_CTL.invokeExact(epfd, op, fd, ev);
            if (r != 0) {
                throw new IllegalStateException("epoll_ctl " + op + " fd " + fd + " failed");
            }
        }
    }

    public static void main(String[] args) throws Throwable {
        ep = (int) EPOLL_CREATE1.invokeExact(0);
        masterEp = (int) EPOLL_CREATE1.invokeExact(0);
        ctl(masterEp, ADD, ep, EPOLLIN | EPOLLONESHOT);
        ServerSocketChannel listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
        System.out.println("listening on tcp://127.0.0.1:" + ((InetSocketAddress) listener.getLocalAddress()).getPort());
        System.out.flush();

        poller = Thread.ofVirtual().name("poller").start(VirtualThreadOwnPoller::pollerLoop);
        Thread master = Thread.ofPlatform().daemon().name("master").start(VirtualThreadOwnPoller::masterLoop);

        while (true) {
            SocketChannel ch = listener.accept();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.configureBlocking(false);
            int fd = ((sun.nio.ch.SelChImpl) ch).getFDVal();
            Conn c = new Conn(ch, fd);
            BY_FD[fd] = c;
            Thread.ofVirtual().start(() -> serve(c));
            ctl(ep, ADD, fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
        }
    }

    static void masterLoop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EVENT_SIZE);
            while (true) {
                int n = (int) EPOLL_WAIT.invokeExact(masterEp, ev, 1, -1);
                if (n > 0) {
                    LockSupport.unpark(poller);
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
        }
    }

    static void pollerLoop() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment events = a.allocate((long) EVENT_SIZE * 256);
            int polled = 1;
            while (true) {
                if (polled == 0) {
                    ctl(masterEp, MOD, ep, EPOLLIN | EPOLLONESHOT);
                    LockSupport.park();
                } else {
                    Thread.yield();
                }
                polled = (int) EPOLL_WAIT_CRITICAL.invokeExact(ep, events, 256, 0);
                for (int i = 0; i < polled; i++) {
                    int ev = events.get(ValueLayout.JAVA_INT, (long) i * EVENT_SIZE);
                    int fd = (int) events.get(DATA, (long) i * EVENT_SIZE + 4);
                    Conn c = BY_FD[fd];
                    if (c == null) {
                        continue;
                    }
                    if ((ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
                        c.readable = true;
                    }
                    if ((ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
                        c.writable = true;
                    }
                    Thread w = c.waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
        }
    }

    static void serve(Conn c) {
        c.waiter = Thread.currentThread();
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        try {
            while (true) {
                c.readable = false;
                int n = c.channel.read(buf);
                if (n < 0) {
                    break;
                }
                if (n > 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        c.writable = false;
                        if (c.channel.write(buf) == 0) {
                            while (!c.writable) {
                                LockSupport.park();
                            }
                        }
                    }
                    buf.clear();
                }
                if (n < buf.capacity()) {
                    while (!c.readable) {
                        LockSupport.park();
                    }
                }
            }
        } catch (Exception e) {
            // connection reset
        } finally {
            BY_FD[c.fd] = null;
            try {
                c.channel.close();
            } catch (Exception ignored) {
            }
        }
    }
}
