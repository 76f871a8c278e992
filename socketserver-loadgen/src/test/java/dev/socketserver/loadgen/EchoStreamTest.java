package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stream side of echo verification: what is sent, and how what comes back is checked. */
@Timeout(10)
class EchoStreamTest {
    private static final int SIZE = 64;
    private final MessagePattern pattern = new MessagePattern(SIZE);
    private final ByteBuffer view = pattern.view();
    private final List<Long> latencies = new ArrayList<>();

    /** Takes what the stream wants to send, as the socket would, and says it was all written at {@code now}. */
    private byte[] send(EchoStream stream, long now) {
        ByteBuffer out = ByteBuffer.allocate(64 * 1024);
        stream.fill(out, view);
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        stream.written(bytes.length, now);
        return bytes;
    }

    private int receive(EchoStream stream, byte[] bytes, int from, int length, long now) throws Exception {
        return stream.received(ByteBuffer.wrap(bytes, from, length), view, now, latencies::add);
    }

    @Test
    void anExactEchoCompletesEveryMessageWithItsLatency() throws Exception {
        var stream = new EchoStream(7, SIZE, 3);
        byte[] sent = send(stream, 1_000);

        assertThat(sent).hasSize(3 * SIZE);
        assertThat(receive(stream, sent, 0, sent.length, 1_250)).isEqualTo(3);
        assertThat(stream.mismatchedMessages()).isZero();
        assertThat(latencies).containsExactly(250L, 250L, 250L);
    }

    @Test
    void theMessagesAreThePatternAtEachMessagesOffset() {
        var stream = new EchoStream(7, SIZE, 2);
        byte[] sent = send(stream, 0);

        assertThat(java.util.Arrays.copyOfRange(sent, 0, SIZE)).isEqualTo(pattern.message(7, 0));
        assertThat(java.util.Arrays.copyOfRange(sent, SIZE, 2 * SIZE)).isEqualTo(pattern.message(7, 1));
        assertThat(pattern.message(7, 0)).isNotEqualTo(pattern.message(7, 1)).isNotEqualTo(pattern.message(8, 0));
    }

    @Test
    void echoesSplitAtAnyByteAreCheckedAcrossReads() throws Exception {
        var stream = new EchoStream(1, SIZE, 4);
        byte[] sent = send(stream, 0);
        int[] cuts = {1, 63, 64, 65, 100, 200, 255, 256};
        int completed = 0;
        int from = 0;
        for (int cut : cuts) {
            completed += receive(stream, sent, from, cut - from, 10);
            from = cut;
        }

        assertThat(completed).isEqualTo(4);
        assertThat(stream.mismatchedMessages()).isZero();
        assertThat(latencies).hasSize(4);
    }

    @Test
    void aChangedByteIsAMismatchAndItsMessageHasNoLatency() throws Exception {
        var stream = new EchoStream(3, SIZE, 2);
        byte[] sent = send(stream, 0);
        sent[SIZE + 5] ^= 0x01;   // the second message, byte 5

        assertThat(receive(stream, sent, 0, sent.length, 10)).isEqualTo(2);
        assertThat(stream.mismatchedMessages()).isEqualTo(1);
        assertThat(stream.firstMismatch()).contains("connection 3", "message 1", "byte 5");
        assertThat(latencies).hasSize(1);
    }

    @Test
    void aLostByteShiftsTheStreamAndIsCaught() throws Exception {
        var stream = new EchoStream(0, SIZE, 2);
        byte[] sent = send(stream, 0);
        byte[] shifted = java.util.Arrays.copyOfRange(sent, 1, sent.length);   // the first byte never comes back

        receive(stream, shifted, 0, shifted.length, 10);

        assertThat(stream.mismatchedMessages()).isPositive();
    }

    @Test
    void messagesSwappedBetweenConnectionsAreMismatches() throws Exception {
        var mine = new EchoStream(1, SIZE, 1);
        var theirs = new EchoStream(2, SIZE, 1);
        send(mine, 0);
        byte[] other = send(theirs, 0);

        receive(mine, other, 0, other.length, 10);

        assertThat(mine.mismatchedMessages()).isEqualTo(1);
    }

    @Test
    void moreBytesThanWereSentAreRefused() {
        var stream = new EchoStream(0, SIZE, 1);
        byte[] sent = send(stream, 0);
        byte[] extra = java.util.Arrays.copyOf(sent, sent.length + 1);

        assertThatThrownBy(() -> receive(stream, extra, 0, extra.length, 10))
                .isInstanceOf(EchoStream.UnexpectedEchoException.class)
                .hasMessageContaining("65 bytes");
    }

    @Test
    void theWindowAllowsPipelineMessagesInFlightAndOneMoreForEachEcho() throws Exception {
        var stream = new EchoStream(0, SIZE, 2);
        byte[] first = send(stream, 0);
        assertThat(stream.wantsToWrite()).isFalse();
        assertThat(send(stream, 0)).isEmpty();

        receive(stream, first, 0, SIZE, 5);   // one echo back: room for one more

        assertThat(stream.wantsToWrite()).isTrue();
        assertThat(send(stream, 5)).hasSize(SIZE);
        assertThat(stream.wantsToWrite()).isFalse();
    }

    @Test
    void aPartialWriteResumesWhereItStopped() throws Exception {
        var stream = new EchoStream(0, SIZE, 1);
        ByteBuffer out = ByteBuffer.allocate(1024);
        stream.fill(out, view);
        out.flip();
        stream.written(10, 100);   // the socket took 10 bytes
        byte[] firstPart = new byte[10];
        out.get(firstPart);
        byte[] rest = send(stream, 200);

        assertThat(rest).hasSize(SIZE - 10);
        byte[] whole = new byte[SIZE];
        System.arraycopy(firstPart, 0, whole, 0, 10);
        System.arraycopy(rest, 0, whole, 10, SIZE - 10);
        assertThat(receive(stream, whole, 0, SIZE, 400)).isEqualTo(1);
        assertThat(latencies).containsExactly(300L);   // timed from the write of the first byte
    }
}
