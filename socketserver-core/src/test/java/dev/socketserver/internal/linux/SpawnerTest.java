package dev.socketserver.internal.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What a spawned child gets: the socket on 0 and 1 and no other descriptor, the environment and argv given, clean signals. */
@Timeout(60)
class SpawnerTest {
    private static final Pattern FD_LINE = Pattern.compile(" (\\d+) -> (.*)$");
    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/usr/bin:/bin");

    @TempDir(factory = ShortTempDirs.class)
    Path dir;

    private ChildReaper reaper;

    @BeforeEach
    void startReaper() throws IOException {
        reaper = new ChildReaper();
    }

    @AfterEach
    void stopReaper() {
        reaper.terminateAll(java.time.Duration.ofSeconds(2));
        reaper.close();
    }

    @ParameterizedTest(name = "closefrom={0}")
    @ValueSource(booleans = {true, false})
    void theChildHasTheSocketOnStdinAndStdoutAndNoOtherDescriptor(boolean useCloseFrom) throws Exception {
        assumeTrue(!useCloseFrom || Spawner.closeFromAvailable(), "this glibc has no posix_spawn_file_actions_addclosefrom_np");
        try (Arena arena = Arena.ofConfined();
             var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            // a descriptor without close-on-exec: only the file actions keep it from the child
            var state = LibC.newCallState(arena);
            int leaky = LibCSockets.socket(state, LibCSockets.AF_UNIX, LibCSockets.SOCK_DGRAM, 0);
            assertThat(leaky).isGreaterThan(2);
            try {
                String socket = NativeTesting.link(pair.accepted.fd());
                String listener = NativeTesting.link(pair.listenerFd);
                String leakySocket = NativeTesting.link(leaky);

                int pid = Spawner.spawn(List.of("ls", "-l", "/proc/self/fd"), PATH_ONLY, pair.accepted.fd(), pair.accepted.fd(), useCloseFrom);
                var exit = reaper.track(pid);
                pair.closeAccepted();
                Map<Integer, String> fds = parseListing(pair.readAll());

                assertThat(fds.keySet()).as("descriptors in the child: %s", fds).containsExactly(0, 1, 2, 3);
                assertThat(fds.get(0)).isEqualTo(socket);
                assertThat(fds.get(1)).isEqualTo(socket);
                assertThat(fds.get(3)).as("the directory ls reads").startsWith("/proc/");
                assertThat(fds.values()).doesNotContain(listener, leakySocket);
                assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
            } finally {
                LibC.close(state, leaky);
            }
        }
    }

    @ParameterizedTest(name = "closefrom={0}")
    @ValueSource(booleans = {true, false})
    void inheritedDescriptorsBecomeThreeAndFourAndNothingElseLeaks(boolean useCloseFrom) throws Exception {
        assumeTrue(!useCloseFrom || Spawner.closeFromAvailable(), "this glibc has no posix_spawn_file_actions_addclosefrom_np");
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"));
             SupervisorLink link = SupervisorLink.create();
             SharedMemory memory = SharedMemory.create("spawner-test", 4096)) {
            String socket = NativeTesting.link(pair.accepted.fd());
            String pipe = NativeTesting.link(link.workerEnd());
            String shared = NativeTesting.link(memory.fd());
            String listener = NativeTesting.link(pair.listenerFd);

            int pid = Spawner.spawn(List.of("ls", "-l", "/proc/self/fd"), PATH_ONLY, pair.accepted.fd(), pair.accepted.fd(),
                    List.of(link.workerEnd(), memory.fd()), useCloseFrom);
            var exit = reaper.track(pid);
            pair.closeAccepted();
            Map<Integer, String> fds = parseListing(pair.readAll());

            assertThat(fds.keySet()).as("descriptors in the child: %s", fds).containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(fds.get(0)).isEqualTo(socket);
            assertThat(fds.get(3)).isEqualTo(pipe);
            assertThat(fds.get(4)).isEqualTo(shared);
            assertThat(fds.get(5)).as("the directory ls reads").startsWith("/proc/");
            assertThat(fds.values()).doesNotContain(listener);
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void anInheritedDescriptorThatACopyWouldOverwriteIsRefused() {
        assertThatThrownBy(() -> Spawner.spawn(List.of("true"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT, List.of(20, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 or more");
    }

    @Test
    void theChildGetsExactlyTheEnvironmentAndArgumentsGiven() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(PATH_ONLY);
        env.put("FOO", "x=y z");
        env.put("EMPTY", "");
        env.put("UNICODE", "grüße");
        String script = "printf '%s|%s|%s|%s|%s\\n' \"$0\" \"$1\" \"$FOO\" \"$EMPTY\" \"$UNICODE\"; env | sort";
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int pid = Spawner.spawn(List.of("sh", "-c", script, "zero", "one  two"), env, pair.accepted.fd());
            var exit = reaper.track(pid);
            pair.closeAccepted();
            List<String> lines = pair.readAll().lines().toList();
            assertThat(lines.getFirst()).isEqualTo("zero|one  two|x=y z||grüße");
            assertThat(lines.subList(1, lines.size())).as("no variable of the parent (such as HOME) leaks in")
                    .contains("EMPTY=", "FOO=x=y z", "PATH=/usr/bin:/bin", "UNICODE=grüße")
                    .allMatch(line -> line.matches("(EMPTY|FOO|PATH|UNICODE|PWD)=.*"));
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void theChildStartsWithNoSignalBlockedOrIgnoredInAProcessGroupOfItsOwn() throws Exception {
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            int pid = Spawner.spawn(List.of("sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; cut -d' ' -f5 /proc/$$/stat"),
                    PATH_ONLY, pair.accepted.fd());
            var exit = reaper.track(pid);
            pair.closeAccepted();
            List<String> lines = pair.readAll().lines().toList();
            assertThat(lines).containsExactly("SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000", Integer.toString(pid));
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void stdoutMayBeInheritedWhileStdinIsTheSocket() throws Exception {
        Map<String, String> env = new LinkedHashMap<>(PATH_ONLY);
        env.put("PARENT_STDOUT", NativeTesting.link(1));
        try (var pair = NativeTesting.tcp(InetAddress.getByName("127.0.0.1"))) {
            // reads a line from the socket on stdin; exits 0 only if that was "ping" and its stdout is the JVM's
            int pid = Spawner.spawn(List.of("sh", "-c", "read line; [ \"$line\" = ping ] && [ \"$(readlink /proc/$$/fd/1)\" = \"$PARENT_STDOUT\" ]"),
                    env, pair.accepted.fd(), Spawner.INHERIT);
            var exit = reaper.track(pid);
            pair.closeAccepted();
            pair.client.write(java.nio.ByteBuffer.wrap("ping\n".getBytes()));
            assertThat(exit.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void aProgramNotFoundIsAnIoExceptionNamingEnoent() {
        assertThatThrownBy(() -> Spawner.spawn(List.of("no-such-program-here"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no-such-program-here").hasMessageContaining("ENOENT");
    }

    @Test
    void aFileThatIsNotExecutableIsAnIoExceptionNamingEacces() throws IOException {
        Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\nexit 0\n");
        assertThatThrownBy(() -> Spawner.spawn(List.of(script.toString()), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT))
                .isInstanceOf(IOException.class).hasMessageContaining("EACCES");
    }

    @Test
    void argumentsThatNoProgramCanReceiveAreRefusedBeforeSpawning() {
        assertThatThrownBy(() -> Spawner.spawn(List.of(), PATH_ONLY, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Spawner.spawn(List.of("echo", "a\0b"), PATH_ONLY, Spawner.INHERIT, Spawner.INHERIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> Spawner.spawn(List.of("true"), Map.of("A=B", "c"), Spawner.INHERIT, Spawner.INHERIT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'='");
    }

    private static Map<Integer, String> parseListing(String listing) {
        Map<Integer, String> fds = new TreeMap<>();
        for (String line : listing.lines().toList()) {
            Matcher m = FD_LINE.matcher(line);
            if (m.find()) {
                fds.put(Integer.parseInt(m.group(1)), m.group(2));
            }
        }
        return fds;
    }
}
