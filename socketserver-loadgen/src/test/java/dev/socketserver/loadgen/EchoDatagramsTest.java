package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The UDP side of echo verification: each datagram carries its identity; loss and lateness are not errors. */
@Timeout(10)
class EchoDatagramsTest {
    private static final int SIZE = 64;
    private final ByteBuffer view = new MessagePattern(SIZE - EchoDatagrams.HEADER).view();
    private final List<Long> latencies = new ArrayList<>();
    private final EchoDatagrams client = new EchoDatagrams(5, SIZE, 2);

    private ByteBuffer sent(int slot, long now) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        client.fill(slot, b, view, now);
        return ByteBuffer.wrap(java.util.Arrays.copyOf(b.array(), b.limit()));
    }

    @Test
    void anExactEchoFreesItsSlotAndRecordsItsLatency() {
        ByteBuffer datagram = sent(1, 100);

        assertThat(datagram.remaining()).isEqualTo(SIZE);
        assertThat(client.received(datagram, view, 160, latencies::add)).isEqualTo(1);
        assertThat(client.mismatches()).isZero();
        assertThat(latencies).containsExactly(60L);
    }

    @Test
    void aChangedPayloadByteIsAMismatch() {
        ByteBuffer datagram = sent(0, 0);
        datagram.put(30, (byte) (datagram.get(30) ^ 0x40));

        assertThat(client.received(datagram, view, 10, latencies::add)).isZero();   // the slot is free again
        assertThat(client.mismatches()).isEqualTo(1);
        assertThat(client.firstMismatch()).contains("byte 30");
        assertThat(latencies).isEmpty();
    }

    @Test
    void aTruncatedEchoIsAMismatch() {
        ByteBuffer datagram = sent(0, 0).limit(SIZE - 1);

        assertThat(client.received(datagram, view, 10, latencies::add)).isEqualTo(-1);
        assertThat(client.mismatches()).isEqualTo(1);
    }

    @Test
    void aHeaderNeverSentIsAMismatch() {
        ByteBuffer datagram = sent(0, 0);
        datagram.putInt(0, 999);   // a sequence number not sent yet

        assertThat(client.received(datagram, view, 10, latencies::add)).isEqualTo(-1);
        assertThat(client.mismatches()).isEqualTo(1);
    }

    @Test
    void anEchoPastTheTimeoutIsLostAndItsLateArrivalIsNoError() {
        ByteBuffer old = sent(0, 0);

        assertThat(client.expire(0, 50, 100)).isFalse();
        assertThat(client.expire(0, 200, 100)).isTrue();
        sent(0, 200);   // the slot is reused
        assertThat(client.received(old, view, 210, latencies::add)).isEqualTo(-1);

        assertThat(client.lost()).isEqualTo(1);
        assertThat(client.late()).isEqualTo(1);
        assertThat(client.mismatches()).isZero();
    }

    @Test
    void aDuplicateEchoIsLate() {
        ByteBuffer datagram = sent(0, 0);
        ByteBuffer copy = datagram.duplicate();
        client.received(datagram, view, 10, latencies::add);

        assertThat(client.received(copy, view, 20, latencies::add)).isEqualTo(-1);
        assertThat(client.late()).isEqualTo(1);
        assertThat(latencies).hasSize(1);
    }
}
