package dev.socketserver.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** HSET, HGET, HDEL, HGETALL, HLEN, HINCRBY: a hash is a {@code HashMap<Key, byte[]>}, removed when it empties. */
final class HashCommands {
    private final Store store;

    HashCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("hset", -4, (args, reply, session) -> {
            if (args.count() % 2 != 0) {
                throw new CommandError("ERR wrong number of arguments for 'hset' command");
            }
            HashMap<Key, byte[]> hash = hashFor(new Key(args.get(1)));
            int added = 0;
            for (int i = 2; i < args.count(); i += 2) {
                added += hash.put(new Key(args.get(i)), args.get(i + 1)) == null ? 1 : 0;
            }
            reply.integer(added);
        });
        table.add("hget", 3, (args, reply, session) -> {
            HashMap<Key, byte[]> hash = store.get(new Key(args.get(1)), HashMap.class);
            StringCommands.bulkOrNull(reply, hash == null ? null : hash.get(new Key(args.get(2))));
        });
        table.add("hdel", -3, (args, reply, session) -> {
            Key key = new Key(args.get(1));
            HashMap<Key, byte[]> hash = store.get(key, HashMap.class);
            int removed = 0;
            for (int i = 2; hash != null && i < args.count(); i++) {
                removed += hash.remove(new Key(args.get(i))) != null ? 1 : 0;
            }
            if (hash != null && hash.isEmpty()) {
                store.remove(key);
            }
            reply.integer(removed);
        });
        table.add("hgetall", 2, (args, reply, session) -> {
            HashMap<Key, byte[]> hash = store.get(new Key(args.get(1)), HashMap.class);
            reply.array(hash == null ? 0 : 2 * hash.size());
            if (hash != null) {
                for (Map.Entry<Key, byte[]> field : hash.entrySet()) {
                    reply.bulk(field.getKey().bytes());
                    reply.bulk(field.getValue());
                }
            }
        });
        table.add("hlen", 2, (args, reply, session) -> {
            HashMap<Key, byte[]> hash = store.get(new Key(args.get(1)), HashMap.class);
            reply.integer(hash == null ? 0 : hash.size());
        });
        table.add("hincrby", 4, (args, reply, session) -> {
            long by = Numbers.parseLong(args.get(3));
            Key key = new Key(args.get(1));
            HashMap<Key, byte[]> existing = store.get(key, HashMap.class);
            Key field = new Key(args.get(2));
            byte[] value = existing == null ? null : existing.get(field);
            long current;
            try {
                current = value == null ? 0 : Numbers.parseLong(value);
            } catch (CommandError e) {
                throw new CommandError("ERR hash value is not an integer");
            }
            long next;
            try {
                next = Math.addExact(current, by);
            } catch (ArithmeticException e) {
                throw new CommandError("ERR increment or decrement would overflow");
            }
            hashFor(key).put(field, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
            reply.integer(next);
        });
    }

    private HashMap<Key, byte[]> hashFor(Key key) {
        HashMap<Key, byte[]> hash = store.get(key, HashMap.class);
        if (hash == null) {
            hash = new HashMap<>();
            store.put(key, hash);
        }
        return hash;
    }
}
