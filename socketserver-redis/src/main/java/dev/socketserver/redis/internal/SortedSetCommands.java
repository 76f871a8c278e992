package dev.socketserver.redis.internal;

import java.util.Iterator;
import java.util.Locale;

/** ZADD, ZSCORE, ZCARD, ZRANGE (by index), ZPOPMIN: a sorted set is a {@link SortedSet}, removed when it empties. */
final class SortedSetCommands {
    private final Store store;

    SortedSetCommands(Store store) {
        this.store = store;
    }

    void register(CommandTable table) {
        table.add("zadd", -4, this::zadd);
        table.add("zscore", 3, (args, reply, session) -> {
            SortedSet set = store.get(new Key(args.get(1)), SortedSet.class);
            Double score = set == null ? null : set.score(new Key(args.get(2)));
            if (score == null) {
                reply.nullBulk();
            } else {
                reply.bulk(Numbers.format(score));
            }
        });
        table.add("zcard", 2, (args, reply, session) -> {
            SortedSet set = store.get(new Key(args.get(1)), SortedSet.class);
            reply.integer(set == null ? 0 : set.size());
        });
        table.add("zrange", -4, this::zrange);
        table.add("zpopmin", -2, this::zpopmin);
    }

    /** ZADD key [NX|XX] [CH] [INCR] score member [score member ...] */
    private void zadd(Arguments args, Reply reply, Session session) {
        boolean nx = false;
        boolean xx = false;
        boolean ch = false;
        boolean incr = false;
        int i = 2;
        for (; i < args.count() && isOption(args.text(i)); i++) {
            switch (args.text(i).toUpperCase(Locale.ROOT)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "CH" -> ch = true;
                default -> incr = true;
            }
        }
        int pairs = args.count() - i;
        if (pairs == 0 || pairs % 2 != 0) {
            throw CommandError.syntax();
        }
        if (nx && xx) {
            throw new CommandError("ERR XX and NX options at the same time are not compatible");
        }
        if (incr && pairs != 2) {
            throw new CommandError("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[pairs / 2];
        for (int p = 0; p < scores.length; p++) {
            scores[p] = Numbers.parseDouble(args.get(i + 2 * p));
        }
        Key key = new Key(args.get(1));
        SortedSet set = store.get(key, SortedSet.class);
        if (set == null) {
            if (xx) {
                if (incr) {
                    reply.nullBulk();
                } else {
                    reply.integer(0);
                }
                return;
            }
            set = new SortedSet();
            store.put(key, set);
        }
        int added = 0;
        int changed = 0;
        for (int p = 0; p < scores.length; p++) {
            Key member = new Key(args.get(i + 2 * p + 1));
            Double old = set.score(member);
            if ((nx && old != null) || (xx && old == null)) {
                if (incr) {
                    reply.nullBulk();
                    return;
                }
                continue;
            }
            double score = incr ? (old == null ? 0 : old) + scores[p] : scores[p];
            if (Double.isNaN(score)) {
                throw new CommandError("ERR resulting score is not a number (NaN)");
            }
            if (old == null) {
                added++;
            } else if (old != score) {
                changed++;
            }
            set.put(member, score);
            if (incr) {
                reply.bulk(Numbers.format(score));
                return;
            }
        }
        if (set.size() == 0) {
            store.remove(key);
        }
        reply.integer(ch ? added + changed : added);
    }

    private static boolean isOption(String text) {
        return switch (text.toUpperCase(Locale.ROOT)) {
            case "NX", "XX", "CH", "INCR" -> true;
            default -> false;
        };
    }

    /** ZRANGE key start stop [REV] [WITHSCORES]: by index; with scores, each member is followed by its score. */
    private void zrange(Arguments args, Reply reply, Session session) {
        boolean withScores = false;
        boolean reverse = false;
        for (int i = 4; i < args.count(); i++) {
            switch (args.text(i).toUpperCase(Locale.ROOT)) {
                case "WITHSCORES" -> withScores = true;
                case "REV" -> reverse = true;
                default -> throw CommandError.syntax();
            }
        }
        long start = Numbers.parseLong(args.get(2));
        long stop = Numbers.parseLong(args.get(3));
        SortedSet set = store.get(new Key(args.get(1)), SortedSet.class);
        long[] span = set == null ? null : ListCommands.span(start, stop, set.size());
        if (span == null) {
            reply.array(0);
            return;
        }
        int n = (int) (span[1] - span[0] + 1);
        reply.array(withScores ? 2 * n : n);
        Iterator<SortedSet.Entry> it = reverse ? set.descendingIterator() : set.iterator();
        for (long i = 0; i <= span[1]; i++) {
            SortedSet.Entry entry = it.next();
            if (i >= span[0]) {
                reply.bulk(entry.member().bytes());
                if (withScores) {
                    reply.bulk(Numbers.format(entry.score()));
                }
            }
        }
    }

    /** ZPOPMIN key [count]: members with their scores, lowest first. */
    private void zpopmin(Arguments args, Reply reply, Session session) {
        if (args.count() > 3) {
            throw CommandError.syntax();
        }
        long count = 1;
        if (args.count() == 3) {
            count = Numbers.parseLong(args.get(2));
            if (count < 0) {
                throw new CommandError("ERR value is out of range, must be positive");
            }
        }
        Key key = new Key(args.get(1));
        SortedSet set = store.get(key, SortedSet.class);
        int n = set == null ? 0 : (int) Math.min(count, set.size());
        reply.array(2 * n);
        for (int i = 0; i < n; i++) {
            SortedSet.Entry entry = set.pollFirst();
            reply.bulk(entry.member().bytes());
            reply.bulk(Numbers.format(entry.score()));
        }
        if (set != null && set.size() == 0) {
            store.remove(key);
        }
    }
}
