package dev.socketserver.junit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How a script matches a stream: wherever reads split it, the match that ends first acts, and nothing after a close. */
class ScriptRunTest {
    private final Script.Rule ab = new Script.Rule(bytes("AB"), Script.Action.REPLY, bytes("1"));
    private final Script.Rule bcd = new Script.Rule(bytes("BCD"), Script.Action.REPLY, bytes("2"));
    private final Script.Rule quit = new Script.Rule(bytes("Q"), Script.Action.CLOSE, null);

    @Test
    void aTriggerSplitAcrossReadsMatchesOnce() {
        ScriptRun run = new ScriptRun(List.of(bcd));
        assertThat(feed(run, "xxB")).isEmpty();
        assertThat(feed(run, "C")).isEmpty();
        assertThat(feed(run, "Dyy")).containsExactly(bcd);
        assertThat(feed(run, "CD")).as("consumed bytes do not match again").isEmpty();
    }

    @Test
    void theMatchThatEndsFirstActsAndConsumesUpToItsEnd() {
        ScriptRun run = new ScriptRun(List.of(bcd, ab));
        assertThat(feed(run, "ABCD")).as("AB ends first and consumes B, so BCD cannot match").containsExactly(ab);
        assertThat(feed(run, "BCDAB")).containsExactly(bcd, ab);
    }

    @Test
    void nothingActsAfterAClose() {
        ScriptRun run = new ScriptRun(List.of(ab, quit));
        assertThat(feed(run, "ABQAB")).containsExactly(ab, quit);
        assertThat(feed(run, "AB")).isEmpty();
    }

    @Test
    void unmatchedBytesAreNotKeptBeyondWhatATriggerCouldStillUse() {
        ScriptRun run = new ScriptRun(List.of(bcd));
        for (int i = 0; i < 10_000; i++) {
            feed(run, "x".repeat(100));
        }
        assertThat(feed(run, "BCD")).containsExactly(bcd);
    }

    private static List<Script.Rule> feed(ScriptRun run, String text) {
        byte[] data = bytes(text);
        return run.feed(data, data.length);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
