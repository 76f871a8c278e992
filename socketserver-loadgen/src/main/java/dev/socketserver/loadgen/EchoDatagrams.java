package dev.socketserver.loadgen;

import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * One UDP client's side of an echo conversation. Datagrams may be lost or reordered, so each
 * carries its own identity: an 8-byte header (a sequence number and the slot it occupies, both
 * big-endian ints) followed by {@code size - 8} bytes of the {@link MessagePattern} for that
 * sequence number. The client keeps {@code pipeline} slots, each holding one datagram in flight.
 *
 * <p>An echo that differs from what was sent is a mismatch. An echo that is not back after the
 * loss timeout is lost: its slot is reused with a new datagram, and should the old echo still come
 * back it is counted as late, not as an error.
 *
 * <p>Not thread-safe: everything here runs in the load generator thread that owns the client.
 */
final class EchoDatagrams {
    static final int HEADER = 8;

    final int id;
    private final int size;
    private final int[] slotSequence;
    private final long[] slotSentAt;
    private int nextSequence;
    private long mismatches;
    private long lost;
    private long late;
    private String firstMismatch;

    EchoDatagrams(int id, int size, int pipeline) {
        if (size < HEADER) {
            throw new IllegalArgumentException("a datagram needs at least " + HEADER + " bytes, got " + size);
        }
        this.id = id;
        this.size = size;
        this.slotSequence = new int[pipeline];
        this.slotSentAt = new long[pipeline];
    }

    int slots() {
        return slotSequence.length;
    }

    long mismatches() {
        return mismatches;
    }

    long lost() {
        return lost;
    }

    long late() {
        return late;
    }

    String firstMismatch() {
        return firstMismatch;
    }

    /**
     * Puts a new datagram for {@code slot} into {@code dst} (cleared first, flipped after) and
     * marks it sent at {@code now}.
     *
     * @param pattern this thread's view of a {@link MessagePattern} of {@code size - 8} bytes
     */
    void fill(int slot, ByteBuffer dst, ByteBuffer pattern, long now) {
        int sequence = nextSequence++;
        slotSequence[slot] = sequence;
        slotSentAt[slot] = now;
        dst.clear();
        pattern.clear();
        dst.putInt(sequence).putInt(slot);
        dst.put(dst.position(), pattern, MessagePattern.offset(id, sequence), size - HEADER);
        dst.position(size).flip();
    }

    /**
     * Checks one echoed datagram (the remaining bytes of {@code echo}).
     *
     * @return the slot the echo freed, to be filled again; -1 if it freed none
     */
    int received(ByteBuffer echo, ByteBuffer pattern, long now, LongConsumer latencies) {
        int at = echo.position();
        if (echo.remaining() != size) {
            mismatch("a datagram of " + echo.remaining() + " bytes came back, " + size + " were sent");
            return -1;
        }
        int sequence = echo.getInt(at);
        int slot = echo.getInt(at + 4);
        if (slot < 0 || slot >= slotSequence.length || sequence < 0 || sequence >= nextSequence) {
            mismatch("an echo with a header never sent (sequence " + sequence + ", slot " + slot + ")");
            return -1;
        }
        if (slotSequence[slot] != sequence) {
            late++;   // its slot timed out and holds a newer datagram
            return -1;
        }
        int expected = MessagePattern.offset(id, sequence);
        echo.position(at + HEADER);
        pattern.limit(expected + size - HEADER).position(expected);
        int wrong = echo.mismatch(pattern);
        if (wrong >= 0) {
            mismatch("sequence " + sequence + ", byte " + (HEADER + wrong) + " differs from what was sent");
        } else {
            latencies.accept(now - slotSentAt[slot]);
        }
        slotSequence[slot] = -1;   // answered: a duplicate of it is late
        return slot;
    }

    /** Whether the datagram in {@code slot} has waited longer than {@code timeoutNanos}; if so it counts as lost. */
    boolean expire(int slot, long now, long timeoutNanos) {
        if (slotSequence[slot] >= 0 && now - slotSentAt[slot] > timeoutNanos) {
            lost++;
            return true;
        }
        return false;
    }

    private void mismatch(String what) {
        mismatches++;
        if (firstMismatch == null) {
            firstMismatch = "client " + id + ": " + what;
        }
    }
}
