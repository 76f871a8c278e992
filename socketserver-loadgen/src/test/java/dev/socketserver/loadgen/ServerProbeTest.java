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

    @Test
    void aProcessCountsItsUserAndSystemTimeAndThatOfItsWaitedForChildren() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 50 30 4 20 0 12 0 555 0 0";

        assertThat(ServerProbe.statTicks(stat)).isEqualTo(700 + 50 + 30 + 4);
    }

    @Test
    void aLiveProcessHasProcessorTimeAndAGoneOneNone() {
        assertThat(ServerProbe.cpuSeconds(ProcessHandle.current().pid())).isPositive();
        assertThat(ServerProbe.cpuSeconds(Integer.MAX_VALUE)).isEqualTo(-1);   // above any pid_max
    }
}
