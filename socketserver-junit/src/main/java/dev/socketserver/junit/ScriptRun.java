package dev.socketserver.junit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One connection's progress through a {@link Script}: the bytes received that no rule has
 * consumed yet, and whether a close or a stall has ended the script. Used by one thread at a time.
 */
final class ScriptRun {
    private final List<Script.Rule> rules;
    private final int longestTrigger;
    private byte[] pending = new byte[0];
    private boolean over;

    ScriptRun(List<Script.Rule> rules) {
        this.rules = List.copyOf(rules);
        this.longestTrigger = rules.stream().mapToInt(r -> r.trigger().length).max().orElse(0);
    }

    /**
     * Adds the first {@code length} bytes of {@code data} to what is pending and returns the rules
     * that act, in order; after a close or a stall, none.
     */
    List<Script.Rule> feed(byte[] data, int length) {
        if (over || rules.isEmpty()) {
            return List.of();
        }
        byte[] joined = Arrays.copyOf(pending, pending.length + length);
        System.arraycopy(data, 0, joined, pending.length, length);
        pending = joined;
        List<Script.Rule> acting = new ArrayList<>();
        while (!over) {
            Script.Rule first = null;
            int firstEnd = Integer.MAX_VALUE;
            for (Script.Rule rule : rules) {
                int at = indexOf(pending, rule.trigger());
                if (at >= 0 && at + rule.trigger().length < firstEnd) {
                    first = rule;
                    firstEnd = at + rule.trigger().length;
                }
            }
            if (first == null) {
                break;
            }
            acting.add(first);
            pending = Arrays.copyOfRange(pending, firstEnd, pending.length);
            over = first.action() != Script.Action.REPLY;
        }
        // a match still to come ends in bytes not yet received, so only the last few pending bytes can be part of it
        int keep = Math.min(pending.length, Math.max(longestTrigger - 1, 0));
        pending = Arrays.copyOfRange(pending, pending.length - keep, pending.length);
        return acting;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
