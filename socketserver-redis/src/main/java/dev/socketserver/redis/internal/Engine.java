package dev.socketserver.redis.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one command engine behind both families: finds a request's command, checks its arity, and
 * runs it against the {@link Store} with the store's lock held, encoding the reply into the
 * connection's {@link Reply}. No I/O happens under the lock, so a client that does not read its
 * replies holds up nobody else. Thread-safe: any number of connection threads and event loops run
 * commands at once, one at a time on the store, as Redis runs them on its one thread: commands take
 * microseconds, and one lock keeps the multi-key ones (MSET, DEL, KEYS, FLUSHDB) simple. (Striped
 * locks have not been measured against it.)
 *
 * <p>Expired keys are removed when they are looked up, and by a sweep ten times a second on a
 * virtual thread of the engine's own, which {@link #close()} stops.
 */
public final class Engine implements AutoCloseable {
    private static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);
    private static final int SWEEP_BATCH = 10_000;

    private final Store store = new Store(System::currentTimeMillis);
    private final CommandTable table = new CommandTable();
    private final ServerInfo info = new ServerInfo();
    private final ReentrantLock lock = store.lock();
    private final Condition closing = lock.newCondition();
    private final Thread sweeper;
    private boolean closed;   // guarded by lock

    public Engine() {
        new StringCommands(store).register(table);
        new KeyCommands(store).register(table);
        new ListCommands(store).register(table);
        new SetCommands(store).register(table);
        new HashCommands(store).register(table);
        new SortedSetCommands(store).register(table);
        new ServerCommands(store, info, table).register();
        sweeper = Thread.ofVirtual().name("redis-expiry").start(this::sweepUntilClosed);
    }

    /** The port INFO reports, once the server is bound. */
    public void port(int port) {
        info.port(port);
    }

    /**
     * Runs the request in {@code args} and encodes its reply, an error included: unknown
     * commands, wrong arity, wrong types and bad arguments are answered, never thrown.
     */
    public void execute(Arguments args, Reply reply, Session session) {
        CommandTable.Entry entry = table.find(args.get(0));
        if (entry == null) {
            reply.error(unknownCommand(args));
            return;
        }
        if (!entry.accepts(args.count())) {
            reply.error("ERR wrong number of arguments for '" + entry.name() + "' command");
            return;
        }
        long mark = reply.mark();
        lock.lock();
        try {
            entry.command().run(args, reply, session);
        } catch (CommandError e) {
            reply.rollback(mark);
            reply.error(e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    /** Redis 7's words: {@code ERR unknown command 'foo', with args beginning with: 'a' 'b' }. */
    private static String unknownCommand(Arguments args) {
        var text = new StringBuilder("ERR unknown command '").append(truncate(args.text(0), 128)).append("', with args beginning with: ");
        var quoted = new StringBuilder();
        for (int i = 1; i < args.count() && quoted.length() < 128; i++) {
            quoted.append('\'').append(truncate(args.text(i), 128 - quoted.length())).append("' ");
        }
        return text.append(quoted).toString();
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max);
    }

    /** The number of keys, expired ones not yet removed included (as DBSIZE). */
    public int size() {
        lock.lock();
        try {
            return store.size();
        } finally {
            lock.unlock();
        }
    }

    /** Removes every key. */
    public void clear() {
        lock.lock();
        try {
            store.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the expiry sweep and waits for its thread to end. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closing.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (true) {
            try {
                sweeper.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sweeps expired keys every {@link #SWEEP_INTERVAL}, a batch at a time, releasing the lock between batches. */
    private void sweepUntilClosed() {
        lock.lock();
        try {
            while (!closed) {
                closing.await(SWEEP_INTERVAL.toNanos(), TimeUnit.NANOSECONDS);
                while (!closed && store.sweep(SWEEP_BATCH) == SWEEP_BATCH) {
                    lock.unlock();
                    lock.lock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
