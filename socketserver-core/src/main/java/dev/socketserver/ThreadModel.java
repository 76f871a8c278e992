package dev.socketserver;

import dev.socketserver.internal.RequestRunner;

/**
 * A concurrency model that runs requests in threads of this process: synchronous, platform
 * threads, virtual threads, or bounded virtual threads. Every server takes one, datagram servers
 * included; a worker of {@link Concurrency#workerProcesses(int, ThreadModel)} runs its requests
 * under one too. Made by the factories of {@link Concurrency}.
 */
public final class ThreadModel implements Concurrency {
    private enum Kind { SYNCHRONOUS, THREADS, VIRTUAL_THREADS, BOUNDED }

    static final ThreadModel SYNCHRONOUS = new ThreadModel(Kind.SYNCHRONOUS, false, false, 0);
    static final ThreadModel VIRTUAL_THREADS = new ThreadModel(Kind.VIRTUAL_THREADS, true, false, 0);

    private final Kind kind;
    private final boolean daemonThreads;
    private final boolean blockOnClose;
    private final int limit;

    private ThreadModel(Kind kind, boolean daemonThreads, boolean blockOnClose, int limit) {
        this.kind = kind;
        this.daemonThreads = daemonThreads;
        this.blockOnClose = blockOnClose;
        this.limit = limit;
    }

    static ThreadModel platformThreads(boolean daemonThreads, boolean blockOnClose) {
        return new ThreadModel(Kind.THREADS, daemonThreads, blockOnClose, 0);
    }

    static ThreadModel bounded(int maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("bounded concurrency needs at least 1 request at a time, got " + maxRequests);
        }
        return new ThreadModel(Kind.BOUNDED, true, false, maxRequests);
    }

    /** Whether {@code close()} waits for running requests. */
    boolean blockOnClose() {
        return blockOnClose && !daemonThreads;
    }

    RequestRunner newRunner() {
        return switch (kind) {
            case SYNCHRONOUS -> RequestRunner.inline();
            case THREADS -> RequestRunner.platformThreads(daemonThreads);
            case VIRTUAL_THREADS -> RequestRunner.virtualThreads(0);
            case BOUNDED -> RequestRunner.virtualThreads(limit);
        };
    }

    boolean isVirtualThreads() {
        return kind == Kind.VIRTUAL_THREADS;
    }

    /** The model as the command line writes it: {@code sync}, {@code threads}, {@code virtual} or {@code bounded:N}. */
    @Override
    public String toString() {
        return switch (kind) {
            case SYNCHRONOUS -> "sync";
            case THREADS -> "threads" + (daemonThreads ? "(daemon)" : "") + (blockOnClose ? "" : "(no block on close)");
            case VIRTUAL_THREADS -> "virtual";
            case BOUNDED -> "bounded:" + limit;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThreadModel t && t.kind == kind && t.daemonThreads == daemonThreads
                && t.blockOnClose == blockOnClose && t.limit == limit;
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + limit) * 31 + (daemonThreads ? 1 : 0)) * 31 + (blockOnClose ? 1 : 0);
    }
}
