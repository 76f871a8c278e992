package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the probe counts as busy in {@code /proc/stat}. */
class ServerProbeTest {

    @Test
    void busyTimeIsUserNiceSystemAndInterruptsNotIdleIowaitOrSteal() {
        //          user nice system idle  iowait irq softirq steal guest guest_nice
        String line = "cpu  100 2 30 5000 40 6 70 800 0 0";

        assertThat(ServerProbe.taskTicks(line)).isEqualTo(100 + 2 + 30 + 6 + 70);
    }
}
