package dev.socketserver.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The arguments of one request, the command name first, as the {@link RequestParser} fills them:
 * one container per connection, reused from request to request.
 */
public final class Arguments {
    private static final int FIRST_CAPACITY = 8;

    private byte[][] items = new byte[FIRST_CAPACITY][];
    private int count;

    public int count() {
        return count;
    }

    public byte[] get(int index) {
        return items[index];
    }

    public String text(int index) {
        return new String(items[index], StandardCharsets.UTF_8);
    }

    void add(byte[] item) {
        if (count == items.length) {
            items = Arrays.copyOf(items, count * 2);
        }
        items[count++] = item;
    }

    /** Forgets the arguments (and lets their arrays go); a container that grew for a long request shrinks back. */
    public void clear() {
        if (items.length > 1024) {
            items = new byte[FIRST_CAPACITY][];
        } else {
            Arrays.fill(items, 0, count, null);
        }
        count = 0;
    }

    /** For tests and messages. */
    @Override
    public String toString() {
        var text = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            text.append(i == 0 ? "" : ", ").append(text(i));
        }
        return text.append(']').toString();
    }
}
