package dev.socketserver.redis.internal;

import java.util.HashMap;
import java.util.Iterator;
import java.util.TreeSet;

/** A Redis sorted set: members with scores, ordered by score, then by member bytes. */
final class SortedSet {
    record Entry(double score, Key member) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry other) {
            int byScore = Double.compare(score, other.score);
            return byScore != 0 ? byScore : member.compareTo(other.member);
        }
    }

    private final HashMap<Key, Double> scores = new HashMap<>();
    private final TreeSet<Entry> order = new TreeSet<>();

    int size() {
        return scores.size();
    }

    Double score(Key member) {
        return scores.get(member);
    }

    /** Sets the score of {@code member}; returns whether it is new. */
    boolean put(Key member, double score) {
        Double old = scores.put(member, score);
        if (old != null) {
            order.remove(new Entry(old, member));
        }
        order.add(new Entry(score, member));
        return old == null;
    }

    Entry pollFirst() {
        Entry first = order.pollFirst();
        if (first != null) {
            scores.remove(first.member());
        }
        return first;
    }

    /** The entries in order, lowest score first. */
    Iterator<Entry> iterator() {
        return order.iterator();
    }

    /** The entries in reverse order, highest score first. */
    Iterator<Entry> descendingIterator() {
        return order.descendingIterator();
    }
}
