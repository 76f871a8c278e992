package dev.socketserver.junit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The threads and descriptors of this JVM, before a server starts and after it closes: what a
 * {@link TestServer} with {@link TestServer#withLeakCheck()} compares.
 *
 * <p>Threads are the platform threads alive (virtual threads are not listed by the JDK), less the
 * JDK's and JUnit's own that come and go whatever a server does: virtual-thread carriers and
 * pollers, the common pool, the JDK's innocuous system threads, JUnit's timeout watcher.
 * Descriptors are those of {@code /proc/self/fd} that a server or handler could leak: sockets,
 * pipes, eventfds and files, less jar files and {@code /dev}, {@code /proc} and {@code /sys}
 * entries, which the JVM opens on its own. Where there is no {@code /proc/self/fd} (not Linux),
 * descriptors are not checked.
 */
final class LeakCheck {
    private static volatile boolean warmedUp;

    /** Threads and descriptors at one moment. */
    record Snapshot(Set<Thread> threads, Map<Integer, String> descriptors) {
    }

    private LeakCheck() {
    }

    /** The baseline: taken once what earlier tests started has settled (up to a second). */
    static Snapshot baseline() {
        warmUp();
        Snapshot previous = take();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            Snapshot now = take();
            if (now.equals(previous)) {
                return now;
            }
            previous = now;
        }
        return previous;
    }

    /**
     * What leaked since {@code baseline}: polls until every new thread has ended and every new
     * descriptor is closed, or {@code deadline} passes.
     *
     * @return what is still there at the deadline, one item a line; empty if nothing leaked
     */
    static List<String> leaksSince(Snapshot baseline, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            List<String> leaks = compare(baseline, take());
            if (leaks.isEmpty() || System.nanoTime() - end > 0) {
                return leaks;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static List<String> compare(Snapshot baseline, Snapshot now) {
        List<String> leaks = new ArrayList<>();
        now.descriptors().forEach((fd, target) -> {
            if (!target.equals(baseline.descriptors().get(fd))) {
                leaks.add("descriptor " + fd + " -> " + target);
            }
        });
        for (Thread thread : now.threads()) {
            if (!baseline.threads().contains(thread)) {
                StackTraceElement[] stack = thread.getStackTrace();
                String where = Stream.of(stack).filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk."))
                        .findFirst().or(() -> Stream.of(stack).findFirst()).map(f -> ", at " + f).orElse("");
                leaks.add("thread \"" + thread.getName() + "\" (" + thread.getState() + (thread.isDaemon() ? ", daemon" : "") + where + ")");
            }
        }
        return leaks;
    }

    private static Snapshot take() {
        Set<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !isInfrastructure(t))
                .collect(Collectors.toSet());
        return new Snapshot(threads, descriptors());
    }

    private static boolean isInfrastructure(Thread thread) {
        String name = thread.getName();
        ThreadGroup group = thread.getThreadGroup();
        return name.startsWith("ForkJoinPool") || name.contains("Poller") || name.equals("VirtualThread-unparker")
                || name.startsWith("junit-") || name.equals("Common-Cleaner") || name.equals("process reaper")
                || name.equals("Attach Listener") || name.startsWith("surefire-") || name.startsWith("JFR ")
                || name.equals("socketserver-reaper")   // the library's one reaper of child processes, kept for the JVM's life
                || (group != null && group.getName().equals("InnocuousThreadGroup"));
    }

    private static Map<Integer, String> descriptors() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return Map.of();
        }
        Map<Integer, String> open = new TreeMap<>();
        try (Stream<Path> list = Files.list(fds)) {
            list.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (isLeakable(target)) {
                        open.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException | NumberFormatException closedMeanwhile) {
                    // closed while we looked, or the listing's own handle
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return open;
    }

    private static boolean isLeakable(String target) {
        if (target.startsWith("socket:") || target.startsWith("pipe:") || target.equals("anon_inode:[eventfd]")) {
            return true;
        }
        return target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/") && !target.startsWith("/sys/")
                && !target.endsWith(".jar") && !target.endsWith("/lib/modules") && !target.endsWith(".jsa");
    }

    /**
     * Has the JDK create, before the baseline, what it keeps for the JVM's life once the first
     * socket is used: the descriptor closing a channel needs, and the pollers of virtual threads.
     */
    private static void warmUp() {
        if (warmedUp) {
            return;
        }
        synchronized (LeakCheck.class) {
            if (warmedUp) {
                return;
            }
            try {
                SocketChannel.open().close();
                Pipe pipe = Pipe.open();
                try {
                    Thread reader = Thread.ofVirtual().start(() -> {
                        try {
                            pipe.source().read(ByteBuffer.allocate(1));
                        } catch (IOException closed) {
                            // nothing to do
                        }
                    });
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    while (reader.getState() != Thread.State.WAITING && reader.isAlive() && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    }
                    pipe.sink().write(ByteBuffer.wrap(new byte[1]));
                    reader.join(Duration.ofSeconds(1));
                } finally {
                    pipe.sink().close();
                    pipe.source().close();
                }
            } catch (IOException e) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            warmedUp = true;
        }
    }
}
