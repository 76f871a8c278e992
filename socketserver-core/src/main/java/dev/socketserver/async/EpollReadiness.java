package dev.socketserver.async;

import dev.socketserver.internal.linux.Epoll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Readiness} through an epoll instance of the library's own (Linux, FFM), for a stream
 * server whose listener and connections are descriptors ({@link DescriptorSocket}): one
 * {@code epoll_wait} a round into a native array, no key objects, no selected-key set.
 *
 * <p>Level-triggered, as a {@code Selector} is, so a channel behaves the same on either kind. As
 * the JDK's selector does, a registration waiting for nothing is taken out of the epoll set
 * altogether (a hung-up socket would otherwise report {@code EPOLLHUP} at every wait). A
 * registration's slot is its event data; a slot freed while a round's events are being handed out
 * is reused only after that round, so a stale event finds an empty slot, never a newer socket.
 */
final class EpollReadiness extends Readiness {
    private static final int MAX_EVENTS = 512;

    private final Epoll epoll;
    private final Arena arena = Arena.ofShared();
    private final Epoll.Events events;
    /** Where a connection's gathering write is copied to go out in one send (the JDK copies heap buffers too). */
    final MemorySegment gatherScratch;
    /** The errno of the loop's reads and sends ({@link dev.socketserver.internal.linux.StreamSockets}), one call at a time. */
    final int[] errno = new int[1];
    private Registration[] slots = new Registration[64];
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int nextUnused;
    private int[] freedThisRound = new int[16];
    private int freedThisRoundCount;
    private boolean dispatching;
    private int ready;

    EpollReadiness() throws IOException {
        this.epoll = Epoll.open(true);
        this.events = Epoll.Events.allocate(MAX_EVENTS, arena);
        this.gatherScratch = arena.allocate(EventLoop.READ_BUFFER_SIZE, 64);
    }

    /** Registers the descriptor {@code fd} for {@code ops} ({@code SelectionKey}'s bits); events go to {@code owner}. */
    LoopKey register(int fd, int ops, EventLoop.LoopChannel owner) throws IOException {
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextUnused++;
        if (slot >= slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
        Registration registration = new Registration(fd, slot, owner);
        slots[slot] = registration;
        try {
            registration.interestOps(ops);
        } catch (UncheckedIOException e) {
            slots[slot] = null;
            free(slot);
            throw e.getCause();
        }
        return registration;
    }

    /**
     * Takes {@code fd} out of the epoll set from any thread, before it is closed there, leaving its
     * registration to be cancelled on the loop; errors are ignored (it may be out already).
     */
    void forget(int fd) {
        try {
            epoll.delete(fd);
        } catch (IOException e) {
            // not in the set
        }
    }

    @Override
    int select(long timeoutMillis) throws IOException {
        ready = epoll.wait(events, timeoutMillis == 0 ? -1 : (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
        return ready;
    }

    @Override
    int selectNow() throws IOException {
        ready = epoll.wait(events, 0);
        return ready;
    }

    @Override
    void wakeup() {
        epoll.wake();
    }

    @Override
    void dispatch(EventLoop loop) {
        int n = ready;
        ready = 0;
        dispatching = true;
        try {
            for (int i = 0; i < n; i++) {
                long data = events.data(i);
                if (data == Epoll.WAKE_DATA) {
                    epoll.clearWake();
                    continue;
                }
                Registration registration = slots[(int) data];
                if (registration == null) {
                    continue;   // cancelled by a callback before it in this round
                }
                int readyOps = registration.readyOps(events.events(i));
                if (readyOps != 0) {
                    loop.dispatch(registration.owner, readyOps);
                }
            }
        } finally {
            dispatching = false;
            for (int i = 0; i < freedThisRoundCount; i++) {
                free(freedThisRound[i]);
            }
            freedThisRoundCount = 0;
        }
    }

    @Override
    List<EventLoop.LoopChannel> channels() {
        List<EventLoop.LoopChannel> channels = new ArrayList<>();
        for (int i = 0; i < nextUnused; i++) {
            Registration registration = slots[i];
            if (registration != null) {
                channels.add(registration.owner);
            }
        }
        return channels;
    }

    @Override
    void close() throws IOException {
        try {
            epoll.close();
        } finally {
            arena.close();
        }
    }

    private void released(int slot) {
        slots[slot] = null;
        if (dispatching) {
            if (freedThisRoundCount == freedThisRound.length) {
                freedThisRound = Arrays.copyOf(freedThisRound, freedThisRoundCount * 2);
            }
            freedThisRound[freedThisRoundCount++] = slot;
        } else {
            free(slot);
        }
    }

    private void free(int slot) {
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /** One descriptor's registration; its slot is the data of its events. */
    private final class Registration implements LoopKey {
        private final int fd;
        private final int slot;
        private final EventLoop.LoopChannel owner;
        private int interest;
        private boolean inEpoll;
        private boolean valid = true;

        Registration(int fd, int slot, EventLoop.LoopChannel owner) {
            this.fd = fd;
            this.slot = slot;
            this.owner = owner;
        }

        @Override
        public int interestOps() {
            return interest;
        }

        @Override
        public void interestOps(int ops) {
            if (!valid || (ops == interest && inEpoll == (ops != 0))) {
                return;
            }
            int wanted = ((ops & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 ? Epoll.IN : 0)
                    | ((ops & SelectionKey.OP_WRITE) != 0 ? Epoll.OUT : 0);
            try {
                if (wanted == 0) {
                    if (inEpoll) {
                        epoll.delete(fd);
                        inEpoll = false;
                    }
                } else if (inEpoll) {
                    epoll.modify(fd, wanted, slot);
                } else {
                    epoll.add(fd, wanted, slot);
                    inEpoll = true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            interest = ops;
        }

        /** The operations an event makes ready, of those waited for: an error or hang-up readies them all, as in a {@code Selector}. */
        int readyOps(int epollEvents) {
            if ((epollEvents & (Epoll.ERR | Epoll.HUP)) != 0) {
                return interest;
            }
            int ops = 0;
            if ((epollEvents & Epoll.IN) != 0) {
                ops |= interest & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT);
            }
            if ((epollEvents & Epoll.OUT) != 0) {
                ops |= interest & SelectionKey.OP_WRITE;
            }
            return ops;
        }

        @Override
        public boolean isValid() {
            return valid;
        }

        @Override
        public void cancel() {
            if (!valid) {
                return;
            }
            valid = false;
            if (inEpoll) {
                inEpoll = false;
                try {
                    epoll.delete(fd);
                } catch (IOException e) {
                    // closed already, which took it out of the set
                }
            }
            released(slot);
        }
    }
}
