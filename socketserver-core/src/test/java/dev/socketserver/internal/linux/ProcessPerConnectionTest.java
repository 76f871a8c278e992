package dev.socketserver.internal.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The pieces together, as a process-per-connection server will use them: accept a connection as a
 * descriptor, spawn a program on it with the UCSPI environment, close the parent's copy, reap.
 */
@Timeout(60)
class ProcessPerConnectionTest {
    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/usr/bin:/bin");

    @TempDir(factory = ShortTempDirs.class)
    Path dir;

    @Test
    void catEchoesAConnectionAndTheParentsDescriptorsReturnToBaseline() throws Exception {
        echoThroughCat();   // warms up what lives as long as the JVM (classes, the native linker)
        int baseline = NativeTesting.openDescriptors();

        echoThroughCat();

        assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), () -> NativeTesting.openDescriptors() <= baseline))
                .as("open descriptors back to %d, now %d", baseline, NativeTesting.openDescriptors()).isTrue();
        assertThat(NativeTesting.ourZombies()).isZero();
    }

    private static void echoThroughCat() throws Exception {
        try (ChildReaper reaper = new ChildReaper();
             var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            pair.client.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)));
            Map<String, String> env = UcspiEnvironment.forConnection(PATH_ONLY, pair.accepted);
            int pid = Spawner.spawn(List.of("cat"), env, pair.accepted.fd());
            var exit = reaper.track(pid);
            pair.closeAccepted();

            assertThat(pair.readLine()).isEqualTo("hello");
            pair.client.shutdownOutput();
            assertThat(pair.readAll()).as("EOF after the client's EOF").isEmpty();
            ChildReaper.Exit status = exit.get(10, TimeUnit.SECONDS);
            assertThat(status.exitCode()).isZero();
            assertThat(status.pid()).isNotEqualTo((int) ProcessHandle.current().pid());
            assertThat(NativeTesting.isOurChild(pid)).isFalse();
            reaper.close();
            assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), reaper::isTerminated)).isTrue();
        }
    }

    @Test
    void theChildSeesTcpserversVariablesOverIpv4() throws Exception {
        assertTcpVariables(InetAddress.getByName("127.0.0.1"), "127.0.0.1");
    }

    @Test
    void theChildSeesTcpserversVariablesOverIpv6() throws Exception {
        assumeTrue(NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .anyMatch(a -> a.isLoopbackAddress() && a instanceof java.net.Inet6Address), "no IPv6 loopback here");
        assertTcpVariables(InetAddress.getByName("::1"), "::1");
    }

    private static void assertTcpVariables(InetAddress host, String written) throws Exception {
        Map<String, String> base = new HashMap<>(PATH_ONLY);
        base.put("TCPREMOTEHOST", "stale.example");   // inherited from an outer tcpserver: must not reach the child
        try (ChildReaper reaper = new ChildReaper();
             var pair = NativeTesting.tcp(host)) {
            int pid = Spawner.spawn(List.of("sh", "-c", "echo $PROTO $TCPREMOTEIP $TCPREMOTEPORT $TCPLOCALIP $TCPLOCALPORT ${TCPREMOTEHOST-unset}"),
                    UcspiEnvironment.forConnection(base, pair.accepted), pair.accepted.fd());
            var exit = reaper.track(pid);
            pair.closeAccepted();

            int clientPort = ((InetSocketAddress) pair.client.getLocalAddress()).getPort();
            int serverPort = ((InetSocketAddress) pair.listener.getLocalAddress()).getPort();
            assertThat(pair.readAll()).isEqualTo("TCP " + written + " " + clientPort + " " + written + " " + serverPort + " unset\n");
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void theChildSeesUnixserversVariablesOverAUnixSocket() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ChildReaper reaper = new ChildReaper();
             var pair = NativeTesting.unix(socket)) {
            int pid = Spawner.spawn(List.of("sh", "-c", "echo $PROTO $UNIXLOCALPATH $UNIXLOCALPID $UNIXREMOTEPID $UNIXREMOTEEUID $UNIXLOCALUID"),
                    UcspiEnvironment.forConnection(PATH_ONLY, pair.accepted), pair.accepted.fd());
            var exit = reaper.track(pid);
            pair.closeAccepted();

            long self = ProcessHandle.current().pid();
            int uid = LibCProcesses.getuid();
            assertThat(pair.readAll()).isEqualTo("UNIX " + socket + " " + self + " " + self + " " + uid + " " + uid + "\n");
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void aChildOnlyEverHoldsItsOwnConnection() throws Exception {
        try (ChildReaper reaper = new ChildReaper();
             var first = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"));
             var second = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int firstPid = Spawner.spawn(List.of("cat"), PATH_ONLY, first.accepted.fd());
            var firstExit = reaper.track(firstPid);
            int secondPid = Spawner.spawn(List.of("cat"), PATH_ONLY, second.accepted.fd());
            var secondExit = reaper.track(secondPid);
            String firstSocket = NativeTesting.link(first.accepted.fd());
            String secondSocket = NativeTesting.link(second.accepted.fd());
            first.closeAccepted();
            second.closeAccepted();

            // cat opens its shared libraries while it starts; once it waits for input it holds just its connection
            assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), () -> descriptorsOf(firstPid).equals(List.of(firstSocket, firstSocket))))
                    .as("first child's descriptors 0 and 1 (listener %s): %s", NativeTesting.link(first.listenerFd), descriptorsOf(firstPid)).isTrue();
            assertThat(NativeTesting.awaitTrue(Duration.ofSeconds(10), () -> descriptorsOf(secondPid).equals(List.of(secondSocket, secondSocket))))
                    .as("second child's descriptors 0 and 1 (listener %s): %s", NativeTesting.link(second.listenerFd), descriptorsOf(secondPid)).isTrue();

            // closing the first client ends only the first cat
            first.client.shutdownOutput();
            assertThat(firstExit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(secondExit.isDone()).isFalse();
            second.client.write(ByteBuffer.wrap("still here\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(second.readLine()).isEqualTo("still here");
            second.client.shutdownOutput();
            assertThat(secondExit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    /** The targets of a child's descriptors other than 2 (stderr, the JVM's), in order of number. */
    private static List<String> descriptorsOf(int pid) {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.filter(p -> !p.getFileName().toString().equals("2"))
                    .sorted(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString()))).map(p -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    return "(gone)";
                }
            }).toList();
        } catch (IOException e) {
            return List.of("(" + e + ")");
        }
    }
}
