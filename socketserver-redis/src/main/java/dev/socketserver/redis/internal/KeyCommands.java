package dev.socketserver.redis.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;

/** DEL, EXISTS, TYPE, EXPIRE, PEXPIRE, TTL, PTTL, PERSIST, KEYS, DBSIZE, FLUSHDB, FLUSHALL. */
final class KeyCommands {
    private final Store store;

    KeyCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("del", -2, (args, reply, session) -> {
            int removed = 0;
            for (int i = 1; i < args.count(); i++) {
                Key key = new Key(args.get(i));
                if (store.get(key) != null && store.remove(key)) {
                    removed++;
                }
            }
            reply.integer(removed);
        });
        table.add("exists", -2, (args, reply, session) -> {
            int found = 0;
            for (int i = 1; i < args.count(); i++) {
                found += store.get(new Key(args.get(i))) != null ? 1 : 0;
            }
            reply.integer(found);
        });
        table.add("type", 2, (args, reply, session) -> reply.simple(typeName(store.get(new Key(args.get(1))))));
        table.add("expire", -3, (args, reply, session) -> expire(args, reply, 1000, "expire"));
        table.add("pexpire", -3, (args, reply, session) -> expire(args, reply, 1, "pexpire"));
        table.add("ttl", 2, (args, reply, session) -> reply.integer(ttl(args.get(1), true)));
        table.add("pttl", 2, (args, reply, session) -> reply.integer(ttl(args.get(1), false)));
        table.add("persist", 2, (args, reply, session) -> reply.integer(store.persist(new Key(args.get(1))) ? 1 : 0));
        table.add("keys", 2, (args, reply, session) -> {
            byte[] pattern = args.get(1);
            boolean all = pattern.length == 1 && pattern[0] == '*';
            List<Key> keys = store.keys();
            if (!all) {
                keys.removeIf(key -> !Glob.matches(pattern, key.bytes()));
            }
            reply.array(keys.size());
            for (Key key : keys) {
                reply.bulk(key.bytes());
            }
        });
        table.add("dbsize", 1, (args, reply, session) -> reply.integer(store.size()));
        Command flush = (args, reply, session) -> {
            if (args.count() > 2 || (args.count() == 2 && !List.of("ASYNC", "SYNC").contains(args.text(1).toUpperCase(Locale.ROOT)))) {
                throw CommandError.syntax();
            }
            store.clear();
            reply.ok();
        };
        table.add("flushdb", -1, flush);
        table.add("flushall", -1, flush);
    }

    static String typeName(Object value) {
        return switch (value) {
            case null -> "none";
            case byte[] ignored -> "string";
            case ArrayDeque<?> ignored -> "list";
            case HashSet<?> ignored -> "set";
            case HashMap<?, ?> ignored -> "hash";
            case SortedSet ignored -> "zset";
            default -> throw new IllegalStateException("a value of an unknown type: " + value.getClass());
        };
    }

    /** EXPIRE key seconds [NX|XX|GT|LT], PEXPIRE key milliseconds [...]. */
    private void expire(Arguments args, Reply reply, long unit, String command) {
        long amount = Numbers.parseLong(args.get(2));
        String condition = args.count() > 3 ? args.text(3).toUpperCase(Locale.ROOT) : "";
        if (args.count() > 4 || !List.of("", "NX", "XX", "GT", "LT").contains(condition)) {
            throw new CommandError(args.count() > 4 ? "ERR NX and XX, GT or LT options at the same time are not compatible"
                    : "ERR Unsupported option " + args.text(3));
        }
        long now = store.now();
        if ((amount > 0 && amount > (Long.MAX_VALUE - now) / unit) || (amount < 0 && amount < (Long.MIN_VALUE + now) / unit)) {
            throw new CommandError("ERR invalid expire time in '" + command + "' command");
        }
        Key key = new Key(args.get(1));
        long current = store.deadline(key);
        if (current == -2) {
            reply.integer(0);
            return;
        }
        long deadline = now + amount * unit;
        boolean apply = switch (condition) {
            case "NX" -> current == -1;
            case "XX" -> current != -1;
            case "GT" -> current != -1 && deadline > current;
            case "LT" -> current == -1 || deadline < current;
            default -> true;
        };
        reply.integer(apply && store.expireAt(key, deadline) ? 1 : 0);
    }

    /** TTL and PTTL: -2 without the key, -1 without a deadline, else the time left (seconds rounded as Redis rounds them). */
    private long ttl(byte[] keyBytes, boolean seconds) {
        long deadline = store.deadline(new Key(keyBytes));
        if (deadline < 0) {
            return deadline;
        }
        long left = Math.max(0, deadline - store.now());
        return seconds ? (left + 500) / 1000 : left;
    }
}
