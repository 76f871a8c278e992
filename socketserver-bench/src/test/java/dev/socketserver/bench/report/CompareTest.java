package dev.socketserver.bench.report;

import dev.socketserver.loadgen.ResultRow;
import dev.socketserver.loadgen.ResultsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Comparing two runs: a server of ours is flagged only when it moved beyond the tie band and beyond every peer. */
@Timeout(10)
class CompareTest {

    private static ResultRow row(String test, String server, double messagesPerSecond) {
        return new ResultRow(test, server, "tcp", 50, 50, 64, 1, 6, (long) (messagesPerSecond * 6), messagesPerSecond,
                messagesPerSecond * 64 / 1e6, 100, 200, 300, 400, 0, 0, 0.9, 0.9, 0, -1, -1, "ok", "", Double.NaN);
    }

    private static ResultsFile run(ResultRow... rows) {
        return new ResultsFile(Map.of("generator threads", "1"), List.of(rows));
    }

    @Test
    void aMoveWithinWhatThePeersMovedIsNoise() {
        var older = run(row("tcp-50", "netty-epoll", 100_000), row("tcp-50", "netty-nio", 100_000), row("tcp-50", "virtual", 100_000));
        var newer = run(row("tcp-50", "netty-epoll", 100_000), row("tcp-50", "netty-nio", 60_000), row("tcp-50", "virtual", 70_000));

        var compare = new Compare(older, newer);

        assertThat(compare.moves()).extracting(Compare.Moved::server).containsExactly("virtual", "netty-nio");
        assertThat(compare.moves()).noneMatch(move -> compare.flagged(move, compare.moves()));
        assertThat(compare.table()).contains("0 of ours moved");
    }

    @Test
    void aMoveBeyondTheBandAndEveryPeerIsFlagged() {
        var older = run(row("tcp-50", "netty-epoll", 100_000), row("tcp-50", "netty-nio", 100_000), row("tcp-50", "virtual", 100_000),
                row("tcp-1", "netty-epoll", 10_000), row("tcp-1", "virtual", 10_000));
        var newer = run(row("tcp-50", "netty-epoll", 100_000), row("tcp-50", "netty-nio", 90_000), row("tcp-50", "virtual", 60_000),
                row("tcp-1", "netty-epoll", 10_000), row("tcp-1", "virtual", 11_000));

        var compare = new Compare(older, newer);
        List<Compare.Moved> moves = compare.moves();

        assertThat(moves).filteredOn(move -> compare.flagged(move, moves))
                .extracting(Compare.Moved::test, Compare.Moved::server).containsExactly(org.assertj.core.groups.Tuple.tuple("tcp-50", "virtual"));
        assertThat(compare.table()).contains("1 of ours moved").contains("<- beyond the tie band and every peer");
    }
}
