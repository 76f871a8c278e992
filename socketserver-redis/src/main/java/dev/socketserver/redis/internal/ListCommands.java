package dev.socketserver.redis.internal;

import java.util.ArrayDeque;
import java.util.Iterator;

/** LPUSH, RPUSH, LPOP, RPOP, LLEN, LRANGE: a list is an {@code ArrayDeque<byte[]>}, removed when it empties. */
final class ListCommands {
    private final Store store;

    ListCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("lpush", -3, (args, reply, session) -> reply.integer(push(args, true)));
        table.add("rpush", -3, (args, reply, session) -> reply.integer(push(args, false)));
        table.add("lpop", -2, (args, reply, session) -> pop(args, reply, true, "lpop"));
        table.add("rpop", -2, (args, reply, session) -> pop(args, reply, false, "rpop"));
        table.add("llen", 2, (args, reply, session) -> {
            ArrayDeque<byte[]> list = store.get(new Key(args.get(1)), ArrayDeque.class);
            reply.integer(list == null ? 0 : list.size());
        });
        table.add("lrange", 4, this::range);
    }

    private int push(Arguments args, boolean left) {
        Key key = new Key(args.get(1));
        ArrayDeque<byte[]> list = store.get(key, ArrayDeque.class);
        if (list == null) {
            list = new ArrayDeque<>();
            store.put(key, list);
        }
        for (int i = 2; i < args.count(); i++) {
            if (left) {
                list.addFirst(args.get(i));
            } else {
                list.addLast(args.get(i));
            }
        }
        return list.size();
    }

    /** LPOP key [count]: one element as a bulk, or with a count an array (null when there is no list). */
    private void pop(Arguments args, Reply reply, boolean left, String command) {
        if (args.count() > 3) {
            throw new CommandError("ERR wrong number of arguments for '" + command + "' command");
        }
        long count = -1;
        if (args.count() == 3) {
            count = Numbers.parseLong(args.get(2));
            if (count < 0) {
                throw new CommandError("ERR value is out of range, must be positive");
            }
        }
        Key key = new Key(args.get(1));
        ArrayDeque<byte[]> list = store.get(key, ArrayDeque.class);
        if (list == null) {
            if (count < 0) {
                reply.nullBulk();
            } else {
                reply.nullArray();
            }
            return;
        }
        if (count < 0) {
            reply.bulk(left ? list.pollFirst() : list.pollLast());
        } else {
            int n = (int) Math.min(count, list.size());
            reply.array(n);
            for (int i = 0; i < n; i++) {
                reply.bulk(left ? list.pollFirst() : list.pollLast());
            }
        }
        if (list.isEmpty()) {
            store.remove(key);
        }
    }

    /** LRANGE key start stop, with negative indexes counted from the end, as Redis does. */
    private void range(Arguments args, Reply reply, Session session) {
        long start = Numbers.parseLong(args.get(2));
        long stop = Numbers.parseLong(args.get(3));
        ArrayDeque<byte[]> list = store.get(new Key(args.get(1)), ArrayDeque.class);
        if (list == null) {
            reply.array(0);
            return;
        }
        long[] span = span(start, stop, list.size());
        if (span == null) {
            reply.array(0);
            return;
        }
        reply.array((int) (span[1] - span[0] + 1));
        boolean fromEnd = span[0] > list.size() / 2;
        if (fromEnd) {
            byte[][] items = new byte[(int) (span[1] - span[0] + 1)][];
            Iterator<byte[]> it = list.descendingIterator();
            for (long i = list.size() - 1; i >= span[0]; i--) {
                byte[] item = it.next();
                if (i <= span[1]) {
                    items[(int) (i - span[0])] = item;
                }
            }
            for (byte[] item : items) {
                reply.bulk(item);
            }
            return;
        }
        Iterator<byte[]> it = list.iterator();
        for (long i = 0; i <= span[1]; i++) {
            byte[] item = it.next();
            if (i >= span[0]) {
                reply.bulk(item);
            }
        }
    }

    /** Redis's index range: negative from the end, clamped; null when it is empty. */
    static long[] span(long start, long stop, int size) {
        if (start < 0) {
            start = Math.max(0, size + start);
        }
        if (stop < 0) {
            stop = size + stop;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        if (start > stop || start >= size) {
            return null;
        }
        return new long[] {start, stop};
    }
}
