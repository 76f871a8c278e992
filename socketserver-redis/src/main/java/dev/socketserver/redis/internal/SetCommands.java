package dev.socketserver.redis.internal;

import java.util.HashSet;
import java.util.Iterator;

/** SADD, SREM, SMEMBERS, SISMEMBER, SCARD, SPOP: a set is a {@code HashSet<Key>}, removed when it empties. */
final class SetCommands {
    private final Store store;

    SetCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("sadd", -3, (args, reply, session) -> {
            Key key = new Key(args.get(1));
            HashSet<Key> set = store.get(key, HashSet.class);
            if (set == null) {
                set = new HashSet<>();
                store.put(key, set);
            }
            int added = 0;
            for (int i = 2; i < args.count(); i++) {
                added += set.add(new Key(args.get(i))) ? 1 : 0;
            }
            reply.integer(added);
        });
        table.add("srem", -3, (args, reply, session) -> {
            Key key = new Key(args.get(1));
            HashSet<Key> set = store.get(key, HashSet.class);
            int removed = 0;
            for (int i = 2; set != null && i < args.count(); i++) {
                removed += set.remove(new Key(args.get(i))) ? 1 : 0;
            }
            if (set != null && set.isEmpty()) {
                store.remove(key);
            }
            reply.integer(removed);
        });
        table.add("smembers", 2, (args, reply, session) -> {
            HashSet<Key> set = store.get(new Key(args.get(1)), HashSet.class);
            reply.array(set == null ? 0 : set.size());
            if (set != null) {
                for (Key member : set) {
                    reply.bulk(member.bytes());
                }
            }
        });
        table.add("sismember", 3, (args, reply, session) -> {
            HashSet<Key> set = store.get(new Key(args.get(1)), HashSet.class);
            reply.integer(set != null && set.contains(new Key(args.get(2))) ? 1 : 0);
        });
        table.add("scard", 2, (args, reply, session) -> {
            HashSet<Key> set = store.get(new Key(args.get(1)), HashSet.class);
            reply.integer(set == null ? 0 : set.size());
        });
        table.add("spop", -2, this::spop);
    }

    /** SPOP key [count]: removes members in the set's own order, which for a hash set is arbitrary (Redis picks at random). */
    private void spop(Arguments args, Reply reply, Session session) {
        if (args.count() > 3) {
            throw CommandError.syntax();
        }
        long count = -1;
        if (args.count() == 3) {
            count = Numbers.parseLong(args.get(2));
            if (count < 0) {
                throw new CommandError("ERR value is out of range, must be positive");
            }
        }
        Key key = new Key(args.get(1));
        HashSet<Key> set = store.get(key, HashSet.class);
        if (set == null) {
            if (count < 0) {
                reply.nullBulk();
            } else {
                reply.array(0);
            }
            return;
        }
        int n = count < 0 ? 1 : (int) Math.min(count, set.size());
        if (count >= 0) {
            reply.array(n);
        }
        Iterator<Key> it = set.iterator();
        for (int i = 0; i < n; i++) {
            reply.bulk(it.next().bytes());
            it.remove();
        }
        if (set.isEmpty()) {
            store.remove(key);
        }
    }
}
