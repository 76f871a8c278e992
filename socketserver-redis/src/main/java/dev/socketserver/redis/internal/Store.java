package dev.socketserver.redis.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The keyspace: one database, keys to values. A value is a {@code byte[]} (a string), an
 * {@code ArrayDeque<byte[]>} (a list), a {@code HashSet<Key>} (a set), a {@code HashMap<Key, byte[]>}
 * (a hash) or a {@link SortedSet}; a key with a time to live holds an {@link Expiring} around its
 * value instead, so keys without one pay nothing for expiry.
 *
 * <p>Expiry is lazy, as in Redis: a key past its deadline is removed when it is next looked up,
 * and {@link #sweep} removes the rest, in deadline order, from a queue of deadlines.
 *
 * <p>Not thread-safe by itself: every call is made with {@link #lock()} held.
 */
final class Store {
    /** A value with a deadline, in milliseconds since the epoch (Redis's TTLs are wall-clock time). */
    record Expiring(Object value, long deadline) {
    }

    private record Deadline(long at, Key key) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline other) {
            return Long.compare(at, other.at);
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final LongSupplier clock;
    private final HashMap<Key, Object> map = new HashMap<>();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
    private int expiring;   // keys with a deadline
    private long expiredKeys;

    Store(LongSupplier clock) {
        this.clock = clock;
    }

    ReentrantLock lock() {
        return lock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** The value of {@code key}, or null if there is none or it has expired (then it is removed). */
    Object get(Key key) {
        Object value = map.get(key);
        if (value instanceof Expiring e) {
            if (e.deadline <= now()) {
                remove(key);
                expiredKeys++;
                return null;
            }
            return e.value;
        }
        return value;
    }

    /**
     * The value of {@code key} if it is of {@code type}, or null if there is none.
     *
     * @throws CommandError WRONGTYPE if the key holds another type
     */
    @SuppressWarnings("unchecked")
    <T> T get(Key key, Class<?> type) {
        Object value = get(key);
        if (value == null || type.isInstance(value)) {
            return (T) value;
        }
        throw CommandError.wrongType();
    }

    /** The deadline of {@code key}: -1 without one, -2 without the key. */
    long deadline(Key key) {
        Object value = get(key);
        if (value == null) {
            return -2;
        }
        return map.get(key) instanceof Expiring e ? e.deadline : -1;
    }

    /** Sets {@code key} to {@code value} without a deadline (a deadline it had is dropped). */
    void put(Key key, Object value) {
        Object old = map.put(key, value);
        if (old instanceof Expiring) {
            expiring--;
        }
    }

    /** Sets {@code key} to {@code value}, keeping its deadline if it has one: a change to a value in place. */
    void replace(Key key, Object value) {
        Object old = map.get(key);
        map.put(key, old instanceof Expiring e ? new Expiring(value, e.deadline) : value);
    }

    /** Sets {@code key} to {@code value} until {@code deadline}. */
    void put(Key key, Object value, long deadline) {
        Object old = map.put(key, new Expiring(value, deadline));
        if (!(old instanceof Expiring)) {
            expiring++;
        }
        deadlines.add(new Deadline(deadline, key));
        if (deadlines.size() > 2 * expiring + 1024) {
            rebuildDeadlines();
        }
    }

    /** Gives an existing key a deadline; false if there is no such key. */
    boolean expireAt(Key key, long deadline) {
        Object value = get(key);
        if (value == null) {
            return false;
        }
        if (deadline <= now()) {
            remove(key);
        } else {
            put(key, value, deadline);
        }
        return true;
    }

    /** Drops the deadline of {@code key}; false if it had none or there is no such key. */
    boolean persist(Key key) {
        if (get(key) != null && map.get(key) instanceof Expiring e) {
            put(key, e.value);
            return true;
        }
        return false;
    }

    boolean remove(Key key) {
        Object old = map.remove(key);
        if (old instanceof Expiring) {
            expiring--;
        }
        return old != null;
    }

    /** Keys, expired ones included until they are found out (as Redis's DBSIZE counts them). */
    int size() {
        return map.size();
    }

    int expiringKeys() {
        return expiring;
    }

    long expiredKeys() {
        return expiredKeys;
    }

    void clear() {
        map.clear();
        deadlines.clear();
        expiring = 0;
    }

    /** The live keys, in no order. */
    List<Key> keys() {
        long now = now();
        var keys = new ArrayList<Key>(map.size());
        map.forEach((key, value) -> {
            if (!(value instanceof Expiring e) || e.deadline > now) {
                keys.add(key);
            }
        });
        return keys;
    }

    /**
     * Removes keys whose deadline has passed, earliest first, at most {@code max} of them.
     *
     * @return how many were removed
     */
    int sweep(int max) {
        long now = now();
        int removed = 0;
        Deadline next;
        while (removed < max && (next = deadlines.peek()) != null && next.at <= now) {
            deadlines.poll();
            if (map.get(next.key) instanceof Expiring e && e.deadline == next.at) {
                remove(next.key);
                expiredKeys++;
                removed++;
            }
        }
        return removed;
    }

    /** Deadlines replaced or dropped stay queued until they pass; rebuilds the queue when they outnumber the live ones. */
    private void rebuildDeadlines() {
        deadlines.clear();
        map.forEach((key, value) -> {
            if (value instanceof Expiring e) {
                deadlines.add(new Deadline(e.deadline, key));
            }
        });
    }
}
