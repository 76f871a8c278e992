package dev.socketserver.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Text for a stream that must never hold up serving: {@link #print} only queues it, and one
 * writer thread ({@code socketserver-NAME-writer}, a daemon) writes it. Standard output or error
 * may be a pipe that nobody reads; once its buffer (64 KiB on Linux) and the queue are full, text
 * is dropped and counted instead of blocking a request thread or an event loop. The count is
 * printed on the stream, as {@code socketserver: N lines of output dropped: ...}, as soon as
 * output flows again, and at {@link #close}.
 *
 * <p>{@link #print} is safe from any thread and never blocks.
 */
final class LinePrinter {
    /** How many pieces of text wait at most; beyond, they are dropped. A line is a few dozen bytes. */
    static final int CAPACITY = 1024;

    private final PrintStream out;
    private final String one;
    private final String many;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    // volatile: set by the closing thread, read by the writer
    private volatile boolean closing;

    private LinePrinter(PrintStream out, String name, String one, String many) {
        this.out = out;
        this.one = one;
        this.many = many;
        this.writer = Thread.ofPlatform().name("socketserver-" + name + "-writer").daemon().unstarted(this::run);
    }

    /**
     * A printer for {@code out}, whose dropped text is reported as {@code N ONE|MANY dropped},
     * such as {@code 1 line of output} and {@code 2 lines of output}.
     */
    static LinePrinter start(PrintStream out, String name, String one, String many) {
        var printer = new LinePrinter(out, name, one, many);
        printer.writer.start();
        return printer;
    }

    /** Queues {@code line} and a line separator; drops and counts it if the queue is full. */
    void println(String line) {
        print(line + System.lineSeparator());
    }

    /** Queues {@code text} as it is; drops and counts it if the queue is full. */
    void print(String text) {
        if (closing || !queue.offer(text)) {
            dropped.incrementAndGet();
        }
    }

    /**
     * Writes what is queued and the count of what was dropped, waiting up to {@code timeout} for
     * the stream to take it (it may still be blocked); later text is dropped.
     */
    void close(Duration timeout) {
        closing = true;
        writer.interrupt();   // ends a wait for text; a blocked write is not interruptible, and goes on
        try {
            writer.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!closing) {
            String text;
            try {
                text = queue.take();
            } catch (InterruptedException e) {
                break;   // closing
            }
            write(text);
        }
        for (String text; (text = queue.poll()) != null; ) {
            write(text);
        }
        reportDropped();
        out.flush();
    }

    private void write(String text) {
        out.print(text);
        if (queue.isEmpty()) {
            out.flush();   // once per burst
        }
        reportDropped();   // the write went through: output flows again
    }

    private void reportDropped() {
        long count = dropped.getAndSet(0);
        if (count > 0) {
            out.println("socketserver: " + count + " " + (count == 1 ? one : many) + " dropped: nothing read them fast enough");
            out.flush();
        }
    }
}
