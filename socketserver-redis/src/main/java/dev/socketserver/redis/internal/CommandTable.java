package dev.socketserver.redis.internal;

import java.util.HashMap;
import java.util.Locale;

/** The commands by name, with Redis's arity: n means exactly n arguments with the name, -n at least n. */
final class CommandTable {
    record Entry(String name, int arity, Command command) {
        boolean accepts(int count) {
            return arity >= 0 ? count == arity : count >= -arity;
        }
    }

    private final HashMap<Key, Entry> byName = new HashMap<>();

    void add(String name, int arity, Command command) {
        var entry = new Entry(name, arity, command);
        byName.put(Key.of(name), entry);
        byName.put(Key.of(name.toUpperCase(Locale.ROOT)), entry);
    }

    /** The command named {@code name} in any case, or null. */
    Entry find(byte[] name) {
        Entry entry = byName.get(new Key(name));
        if (entry != null || name.length > 32) {
            return entry;
        }
        byte[] lower = new byte[name.length];
        for (int i = 0; i < name.length; i++) {
            byte b = name[i];
            lower[i] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
        }
        return byName.get(new Key(lower));
    }

    /** Every command once, in no order. */
    java.util.List<Entry> entries() {
        return byName.values().stream().distinct().toList();
    }

    int size() {
        return byName.size() / 2;
    }
}
