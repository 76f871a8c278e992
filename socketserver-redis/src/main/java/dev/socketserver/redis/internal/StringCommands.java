package dev.socketserver.redis.internal;

import java.util.Arrays;

/** SET, GET, GETSET, INCR and its kin, APPEND, STRLEN, MSET, MGET. */
final class StringCommands {
    private final Store store;

    StringCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("get", 2, (args, reply, session) -> bulkOrNull(reply, store.get(new Key(args.get(1)), byte[].class)));
        table.add("set", -3, this::set);
        table.add("getset", 3, this::getset);
        table.add("incr", 2, (args, reply, session) -> reply.integer(incrementBy(args.get(1), 1)));
        table.add("decr", 2, (args, reply, session) -> reply.integer(incrementBy(args.get(1), -1)));
        table.add("incrby", 3, (args, reply, session) -> reply.integer(incrementBy(args.get(1), Numbers.parseLong(args.get(2)))));
        table.add("decrby", 3, this::decrby);
        table.add("append", 3, this::append);
        table.add("strlen", 2, (args, reply, session) -> {
            byte[] value = store.get(new Key(args.get(1)), byte[].class);
            reply.integer(value == null ? 0 : value.length);
        });
        table.add("mset", -3, this::mset);
        table.add("mget", -2, this::mget);
    }

    static void bulkOrNull(Reply reply, byte[] value) {
        if (value == null) {
            reply.nullBulk();
        } else {
            reply.bulk(value);
        }
    }

    /** SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT|PXAT|KEEPTTL] */
    private void set(Arguments args, Reply reply, Session session) {
        boolean nx = false;
        boolean xx = false;
        boolean get = false;
        boolean keepTtl = false;
        long deadline = 0;
        for (int i = 3; i < args.count(); i++) {
            String option = args.text(i).toUpperCase(java.util.Locale.ROOT);
            boolean hasValue = i + 1 < args.count();
            switch (option) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GET" -> get = true;
                case "KEEPTTL" -> keepTtl = true;
                case "EX", "PX", "EXAT", "PXAT" -> {
                    if (!hasValue || deadline != 0) {
                        throw CommandError.syntax();
                    }
                    deadline = deadline(option, Numbers.parseLong(args.get(++i)), "set");
                }
                default -> throw CommandError.syntax();
            }
        }
        if ((nx && xx) || (keepTtl && deadline != 0)) {
            throw CommandError.syntax();
        }
        Key key = new Key(args.get(1));
        Object old = store.get(key);
        if (get && old != null && !(old instanceof byte[])) {
            throw CommandError.wrongType();
        }
        boolean apply = nx ? old == null : !xx || old != null;
        if (apply) {
            byte[] value = args.get(2);
            if (deadline != 0) {
                store.put(key, value, deadline);
            } else if (keepTtl) {
                store.replace(key, value);
            } else {
                store.put(key, value);
            }
        }
        if (get) {
            bulkOrNull(reply, (byte[]) old);
        } else if (apply) {
            reply.ok();
        } else {
            reply.nullBulk();
        }
    }

    /** The deadline that EX, PX, EXAT or PXAT give, in milliseconds since the epoch. */
    long deadline(String unit, long amount, String command) {
        long limit = Long.MAX_VALUE / 1000 - store.now();
        if (amount <= 0 || ((unit.equals("EX") || unit.equals("EXAT")) && amount > limit) || amount > Long.MAX_VALUE - store.now()) {
            throw new CommandError("ERR invalid expire time in '" + command + "' command");
        }
        return switch (unit) {
            case "EX" -> store.now() + amount * 1000;
            case "PX" -> store.now() + amount;
            case "EXAT" -> amount * 1000;
            default -> amount;
        };
    }

    private void getset(Arguments args, Reply reply, Session session) {
        Key key = new Key(args.get(1));
        byte[] old = store.get(key, byte[].class);
        store.put(key, args.get(2));
        bulkOrNull(reply, old);
    }

    private void decrby(Arguments args, Reply reply, Session session) {
        long by = Numbers.parseLong(args.get(2));
        if (by == Long.MIN_VALUE) {
            throw new CommandError("ERR decrement would overflow");
        }
        reply.integer(incrementBy(args.get(1), -by));
    }

    private long incrementBy(byte[] keyBytes, long by) {
        Key key = new Key(keyBytes);
        byte[] value = store.get(key, byte[].class);
        long current = value == null ? 0 : Numbers.parseLong(value);
        long next;
        try {
            next = Math.addExact(current, by);
        } catch (ArithmeticException e) {
            throw new CommandError("ERR increment or decrement would overflow");
        }
        store.replace(key, Long.toString(next).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return next;
    }

    private void append(Arguments args, Reply reply, Session session) {
        Key key = new Key(args.get(1));
        byte[] value = store.get(key, byte[].class);
        byte[] more = args.get(2);
        byte[] joined;
        if (value == null) {
            joined = more;
        } else {
            if ((long) value.length + more.length > RequestParser.MAX_BULK_LENGTH) {
                throw new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            }
            joined = Arrays.copyOf(value, value.length + more.length);
            System.arraycopy(more, 0, joined, value.length, more.length);
        }
        store.replace(key, joined);
        reply.integer(joined.length);
    }

    private void mset(Arguments args, Reply reply, Session session) {
        if (args.count() % 2 == 0) {
            throw new CommandError("ERR wrong number of arguments for 'mset' command");
        }
        for (int i = 1; i < args.count(); i += 2) {
            store.put(new Key(args.get(i)), args.get(i + 1));
        }
        reply.ok();
    }

    private void mget(Arguments args, Reply reply, Session session) {
        reply.array(args.count() - 1);
        for (int i = 1; i < args.count(); i++) {
            bulkOrNull(reply, store.get(new Key(args.get(i))) instanceof byte[] value ? value : null);
        }
    }
}
