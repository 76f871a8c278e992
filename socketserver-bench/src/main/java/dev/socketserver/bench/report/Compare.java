package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Compares two runs of the benchmark: for each server and test measured in both, the ratio to
 * Netty epoll in the old run, in the new one, and how far it moved (new ÷ old). A ratio moves for
 * two reasons, a change in the server and the run's own noise; the peers (Netty NIO, the plain
 * JDK echo, Python), whose code did not change, show the noise of this pair of runs. A server of
 * ours whose ratio moved further than 0.8–1.2, and further than any peer moved in the same test,
 * is flagged: that is a change worth an A/B run of its own ({@code bench/run --extra}).
 *
 * <pre>{@code java -cp socketserver-bench/target/socketserver-bench.jar dev.socketserver.bench.report.Compare OLD.tsv NEW.tsv}</pre>
 */
public final class Compare {
    /** Moves within this band are a tie on a 2-CPU machine (see bench/README.md). */
    static final double TIE_LOW = 0.8;
    static final double TIE_HIGH = 1.2;

    /** One server in one test, in both runs. */
    record Moved(String test, String server, boolean ours, double oldRatio, double newRatio) {
        double factor() {
            return newRatio / oldRatio;
        }

        boolean outsideTie() {
            return factor() < TIE_LOW || factor() > TIE_HIGH;
        }
    }

    private final Report older;
    private final Report newer;

    Compare(ResultsFile older, ResultsFile newer) {
        this.older = new Report(older, "");
        this.newer = new Report(newer, "");
    }

    /** Every server and test with a usable ratio in both runs, in the new report's order. */
    List<Moved> moves() {
        List<Moved> moves = new ArrayList<>();
        for (Report.Test test : newer.tests()) {
            for (Report.Server server : newer.servers()) {
                if (server.id().equals(Report.BASELINE)) {
                    continue;
                }
                double before = older.ratio(test.id(), server.id(), ResultRow::messagesPerSecond);
                double after = newer.ratio(test.id(), server.id(), ResultRow::messagesPerSecond);
                if (!Double.isNaN(before) && !Double.isNaN(after)) {
                    moves.add(new Moved(test.id(), server.id(), server.ours(), before, after));
                }
            }
        }
        return moves;
    }

    /**
     * Whether {@code move}, one of ours, moved beyond the tie band and beyond every peer in its
     * test: the run's noise does not explain it.
     */
    boolean flagged(Moved move, List<Moved> all) {
        if (!move.ours() || !move.outsideTie()) {
            return false;
        }
        double distance = Math.abs(Math.log(move.factor()));
        for (Moved peer : all) {
            if (!peer.ours() && peer.test().equals(move.test()) && Math.abs(Math.log(peer.factor())) >= distance) {
                return false;
            }
        }
        return true;
    }

    /** The comparison as a plain-text table. */
    String table() {
        List<Moved> moves = moves();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-12s %-26s %9s %9s %8s%n", "test", "server", "old", "new", "moved"));
        int flaggedCount = 0;
        for (Moved move : moves) {
            boolean flagged = flagged(move, moves);
            flaggedCount += flagged ? 1 : 0;
            out.append(String.format(Locale.ROOT, "%-12s %-26s %8.2f× %8.2f× %7.2f×%s%n", move.test(),
                    (move.ours() ? "" : "(peer) ") + move.server(), move.oldRatio(), move.newRatio(), move.factor(),
                    flagged ? "   <- beyond the tie band and every peer" : ""));
        }
        out.append(String.format(Locale.ROOT, "%n%d of ours moved beyond 0.8–1.2× and beyond every peer in the same test%n",
                flaggedCount));
        return out.toString();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Compare OLD.tsv NEW.tsv");
            System.exit(2);
        }
        System.out.print(new Compare(ResultsFile.read(Path.of(args[0])), ResultsFile.read(Path.of(args[1]))).table());
    }
}
