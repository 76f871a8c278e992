package dev.socketserver.internal.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Children are reaped as they exit, with their status and run time; terminateAll stops them; nothing is left a zombie. */
@Timeout(60)
class ChildReaperTest {
    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/usr/bin:/bin");

    private ChildReaper reaper;

    @BeforeEach
    void startReaper() throws IOException {
        reaper = new ChildReaper();
    }

    @AfterEach
    void stopReaper() {
        reaper.terminateAll(Duration.ofSeconds(2));
        reaper.close();
    }

    private static int spawn(String script) throws IOException {
        return Spawner.spawn(List.of("sh", "-c", script), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT);
    }

    @Test
    void anExitStatusIsReportedAndTheChildIsGone() throws Exception {
        int pid = spawn("exit 3");
        ChildReaper.Exit exit = reaper.track(pid).get(10, TimeUnit.SECONDS);

        assertThat(exit.pid()).isEqualTo(pid);
        assertThat(exit.exitCode()).isEqualTo(3);
        assertThat(exit.signal()).isZero();
        assertThat(exit.succeeded()).isFalse();
        assertThat(exit.runTime()).isPositive().isLessThan(Duration.ofSeconds(10));
        assertThat(exit.toString()).startsWith("pid " + pid + " exited with status 3 after ");
        assertThat(NativeTesting.isOurChild(pid)).as("no zombie left").isFalse();
        assertThat(reaper.liveCount()).isZero();
    }

    @Test
    void terminateAllStopsASleepingChildWithSigterm() throws Exception {
        int pid = Spawner.spawn(List.of("sleep", "30"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT);
        CompletableFuture<ChildReaper.Exit> exit = reaper.track(pid);
        assertThat(reaper.livePids()).containsExactly(pid);

        long start = System.nanoTime();
        assertThat(reaper.terminateAll(Duration.ofSeconds(10))).as("ended before the deadline").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        assertThat(exit.getNow(null)).isNotNull();
        assertThat(exit.getNow(null).signal()).isEqualTo(LibCProcesses.SIGTERM);
        assertThat(exit.getNow(null).exitCode()).isEqualTo(-1);
        assertThat(exit.getNow(null).toString()).contains("killed by SIGTERM");
        assertThat(NativeTesting.isOurChild(pid)).isFalse();
    }

    @Test
    void aChildThatIgnoresSigtermIsKilledAfterTheDeadline() throws Exception {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int pid = Spawner.spawn(List.of("sh", "-c", "trap '' TERM; echo ready; exec sleep 30"), PATH_ONLY, pair.accepted.fd());
            CompletableFuture<ChildReaper.Exit> exit = reaper.track(pid);
            pair.closeAccepted();
            assertThat(pair.readLine()).isEqualTo("ready");

            assertThat(reaper.terminateAll(Duration.ofMillis(300))).as("ended before the deadline").isFalse();

            assertThat(exit.getNow(null)).isNotNull();
            assertThat(exit.getNow(null).signal()).isEqualTo(LibCProcesses.SIGKILL);
            assertThat(NativeTesting.isOurChild(pid)).isFalse();
        }
    }

    @Test
    void signalsReachTheWholeProcessGroupOfTheChild() throws Exception {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int pid = Spawner.spawn(List.of("sh", "-c", "sleep 30 & echo $!; wait"), PATH_ONLY, pair.accepted.fd());
            CompletableFuture<ChildReaper.Exit> exit = reaper.track(pid);
            pair.closeAccepted();
            int grandchild = Integer.parseInt(pair.readLine());
            assertThat(NativeTesting.processGroup(grandchild)).isEqualTo(pid);

            assertThat(reaper.terminateAll(Duration.ofSeconds(10))).isTrue();

            assertThat(exit.get(1, TimeUnit.SECONDS).signal()).isEqualTo(LibCProcesses.SIGTERM);
            // the orphaned sleep belongs to init now; it must be dead (gone, or a zombie init has yet to reap)
            assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), () -> {
                char state = NativeTesting.processState(grandchild);
                return state == 0 || state == 'Z' || NativeTesting.processGroup(grandchild) != pid;
            })).as("the grandchild was stopped with its parent").isTrue();
        }
    }

    @Test
    void childrenItDidNotTrackKeepTheirExitStatus() throws Exception {
        Process other = new ProcessBuilder("sh", "-c", "exit 7").start();
        int pid = spawn("exit 5");
        assertThat(reaper.track(pid).get(10, TimeUnit.SECONDS).exitCode()).isEqualTo(5);
        assertThat(other.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).as("the JDK reaped its own child").isEqualTo(7);
    }

    @Test
    void aChildThatExitedBeforeItWasTrackedIsReaped() throws Exception {
        int pid = spawn("exit 0");
        assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), () -> NativeTesting.processState(pid) == 'Z')).isTrue();
        assertThat(reaper.track(pid).get(10, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(NativeTesting.isOurChild(pid)).isFalse();
    }

    @Test
    void fiveHundredShortLivedChildrenLeaveNoZombie() throws Exception {
        List<CompletableFuture<ChildReaper.Exit>> exits = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            int pid = Spawner.spawn(List.of("true"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT);
            exits.add(reaper.track(pid));
        }
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(exits).allMatch(e -> e.join().succeeded());
        assertThat(reaper.liveCount()).isZero();
        assertThat(NativeTesting.ourZombies()).isZero();
    }

    @Test
    void closeWithNoChildrenEndsTheThread() {
        reaper.close();
        assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), reaper::isTerminated)).isTrue();
        reaper.close();   // idempotent
    }

    @Test
    void afterCloseTheThreadReapsTheChildrenLeftThenEnds() throws Exception {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int pid = Spawner.spawn(List.of("cat"), PATH_ONLY, pair.accepted.fd());
            CompletableFuture<ChildReaper.Exit> exit = reaper.track(pid);
            pair.closeAccepted();
            reaper.close();
            assertThat(reaper.isTerminated()).as("a child is still running").isFalse();

            int late = spawn("sleep 30");
            assertThatThrownBy(() -> reaper.track(late)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThat(NativeTesting.isOurChild(late)).as("a child refused by a closed reaper is killed and reaped").isFalse();

            pair.client.shutdownOutput();   // cat sees EOF and exits
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), reaper::isTerminated)).isTrue();
        }
    }

    @Test
    void signalAllReachesEveryTrackedChild() throws Exception {
        List<CompletableFuture<ChildReaper.Exit>> exits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            exits.add(reaper.track(Spawner.spawn(List.of("sleep", "30"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT)));
        }
        assertThat(reaper.signalAll(LibCProcesses.SIGTERM)).isEqualTo(3);
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(exits).allMatch(e -> e.join().signal() == LibCProcesses.SIGTERM);
        assertThat(reaper.signalAll(LibCProcesses.SIGTERM)).isZero();
    }

    @Test
    void signalReachesATrackedChildAndNotAReapedOne() throws Exception {
        int pid = Spawner.spawn(List.of("sleep", "30"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT);
        CompletableFuture<ChildReaper.Exit> exit = reaper.track(pid);
        assertThat(reaper.signal(pid, LibCProcesses.SIGKILL)).isTrue();
        assertThat(exit.get(10, TimeUnit.SECONDS).signal()).isEqualTo(LibCProcesses.SIGKILL);
        assertThat(reaper.signal(pid, LibCProcesses.SIGKILL)).as("reaped: its pid may belong to someone else now").isFalse();
    }
}
