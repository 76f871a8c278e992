package dev.socketserver.redis.internal;

/** One command's work: reads its arguments, changes the store, encodes its reply. Runs with the store's lock held. */
@FunctionalInterface
interface Command {
    void run(Arguments args, Reply reply, Session session);
}
