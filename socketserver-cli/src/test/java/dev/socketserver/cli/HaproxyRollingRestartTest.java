package dev.socketserver.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code deploy/haproxy/haproxy.cfg} as committed (on the test's ports) in front of two
 * {@code socketserver echo} instances started from its {@code # run:} lines, under echo load
 * through HAProxy: a rolling restart, each instance in turn stopped with SIGTERM (it drains and
 * exits 0), started again on the same port and waited for until HAProxy's health check has it up
 * again, fails no request; the instances see the clients' own addresses through PROXY v2 (the
 * DEBUG line of {@code proxy-debug-logging.properties}).
 */
@Timeout(120)
class HaproxyRollingRestartTest {
    private static final int CLIENTS = 20;
    /**
     * Every how many requests the odd clients close their connection and open a new one, so that
     * new connections keep arriving at HAProxy while an instance stops (it must send them
     * elsewhere); the even ones keep theirs until a drain ends it.
     */
    private static final int REQUESTS_PER_CONNECTION = 200;
    private static final Pattern RELAYED = Pattern.compile("connection from (\\S+): PROXY v2 client 127\\.0\\.0\\.1:(\\d+) to (\\S+)");

    @TempDir
    Path dir;

    @BeforeAll
    static void haproxyIsInstalled() {
        assumeTrue(HaproxyConfig.program().isPresent(),
                "haproxy is not installed (OS package haproxy; .ci/install-os-tools haproxy installs it): the rolling restart is not tested here");
    }

    @Test
    void theConfigurationMatchesItsInstances() throws IOException {
        var config = HaproxyConfig.committed();
        List<List<String>> instances = config.instanceCommands();
        assertThat(instances).as("one run line per server").hasSize(config.serverNames().size()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(config.defaultServerHas("send-proxy-v2")).as("send-proxy-v2").isTrue();
        assertThat(config.defaultServerHas("check-send-proxy")).as("health checks send a PROXY header too").isTrue();
        assertThat(config.defaultServerHas("check")).isTrue();
        int maxconn = Integer.parseInt(config.defaultServer("maxconn"));
        for (int i = 0; i < instances.size(); i++) {
            List<String> command = instances.get(i);
            assertThat(command).contains("--proxy-protocol");
            assertThat(argumentAfter(command, "--listen")).endsWith(":" + config.serverPorts().get(i));
            int maxConnections = Integer.parseInt(argumentAfter(command, "--max-connections"));
            assertThat(maxConnections).as("--max-connections: maxconn plus a few health checks")
                    .isGreaterThanOrEqualTo(maxconn).isLessThanOrEqualTo(maxconn + 8);
        }
        assertThat(config.statements("option redispatch")).isNotEmpty();
        assertThat(config.statements("retries")).isNotEmpty();
    }

    @Test
    void aRollingRestartFailsNoRequestAndTheInstancesSeeTheClientsThroughProxyV2() throws Exception {
        var config = HaproxyConfig.committed();
        List<List<String>> commands = config.instanceCommands();
        List<InetSocketAddress> servers = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            servers.add(new InetSocketAddress("127.0.0.1", freePort()));
        }
        var frontend = new InetSocketAddress("127.0.0.1", freePort());
        Path statsSocket = dir.resolve("haproxy.sock");
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), config.render(frontend, servers, statsSocket));
        Path haproxyOutput = dir.resolve("haproxy.out");

        List<CliProcess> instances = new ArrayList<>();
        List<CliProcess> stopped = new ArrayList<>();
        Process haproxy = null;
        try {
            for (int i = 0; i < commands.size(); i++) {
                instances.add(startInstance(commands.get(i), servers.get(i)));
            }
            haproxy = new ProcessBuilder(HaproxyConfig.program().orElseThrow().toString(), "-f", cfg.toString(), "-db")
                    .redirectErrorStream(true).redirectOutput(haproxyOutput.toFile()).start();
            var stats = new Stats(statsSocket, config.backend(), haproxy, haproxyOutput);
            for (String server : config.serverNames()) {
                stats.awaitStatus(server, "UP");
            }

            long restarts = 0;
            try (var load = EchoLoad.start(frontend, CLIENTS, Duration.ZERO, REQUESTS_PER_CONNECTION)) {
                load.awaitMoreRequests(2_000);
                for (int i = 0; i < instances.size(); i++) {
                    CliProcess old = instances.get(i);
                    Duration drain = Durations.parse(argumentAfter(commands.get(i), "--drain"));
                    old.sigterm();
                    stats.awaitStatus(config.serverNames().get(i), "DOWN");
                    assertThat(old.awaitExit(drain.plus(CliProcess.PATIENCE))).as("exit status after the drain; stderr: %s", old.stderr()).isZero();
                    stopped.add(old);
                    instances.set(i, startInstance(commands.get(i), servers.get(i)));
                    stats.awaitStatus(config.serverNames().get(i), "UP");
                    restarts++;
                    load.awaitMoreRequests(2_000);
                }
                load.stop();
                System.out.printf("HaproxyRollingRestartTest: %d clients, %d requests, %d restarts, %d failures, %d retries (each succeeded);"
                                + " HAProxy: %s connects retried, %s redispatched to the other instance%n",
                        CLIENTS, load.requests(), restarts, load.failed(), load.retries(),
                        stats.field("BACKEND", "wretr"), stats.field("BACKEND", "wredis"));
                assertThat(load.failed()).as("failed requests, such as %s", load.failures()).isZero();
                assertThat(load.retries()).as("connections the drains closed, whose clients sent their request again").isPositive();

                for (CliProcess instance : instances) {
                    instance.sigterm();
                    assertThat(instance.awaitExit()).isZero();
                    stopped.add(instance);
                }
                Set<Integer> relayed = new HashSet<>();
                for (CliProcess instance : stopped) {
                    String log = String.join("\n", instance.stderrLines());
                    assertThat(log).as("PROXY headers turned away").doesNotContain("closing connection from");
                    assertThat(log).as("health checks, as v2 LOCAL").contains(": PROXY v2 LOCAL");
                    Matcher line = RELAYED.matcher(log);
                    while (line.find()) {
                        assertThat(line.group(3)).as("the address the client connected to").isEqualTo(HaproxyConfig.text(frontend));
                        assertThat(line.group(1)).as("HAProxy's own address").isNotEqualTo("127.0.0.1:" + line.group(2));
                        relayed.add(Integer.parseInt(line.group(2)));
                    }
                }
                assertThat(relayed).as("client ports the instances learned from PROXY v2").isEqualTo(load.clientPorts());
                assertThat(String.join("\n", instances.getFirst().stderrLines())).as("the restarted first instance served the clients of the second")
                        .containsPattern(RELAYED);
            }
        } finally {
            instances.forEach(CliProcess::close);
            if (haproxy != null) {
                haproxy.destroy();
                assertThat(haproxy.waitFor(CliProcess.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("haproxy exits on SIGTERM").isTrue();
            }
        }
    }

    private static CliProcess startInstance(List<String> command, InetSocketAddress address) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.set(args.indexOf("--listen") + 1, "tcp://" + HaproxyConfig.text(address));
        Path logging = HaproxyConfig.DIRECTORY.resolve("proxy-debug-logging.properties").toAbsolutePath();
        var instance = CliProcess.startWithJvmOptions(List.of("-Djava.util.logging.config.file=" + logging), args.toArray(String[]::new));
        assertThat(instance.awaitListening()).isEqualTo("tcp://" + HaproxyConfig.text(address));
        return instance;
    }

    private static String argumentAfter(List<String> words, String flag) {
        int at = words.indexOf(flag);
        assertThat(at).as(flag + " in " + words).isNotNegative();
        return words.get(at + 1);
    }

    private static int freePort() throws IOException {
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /** HAProxy's view of the backend's servers, through its runtime API ({@code show stat} on the stats socket). */
    private record Stats(Path socket, String backend, Process haproxy, Path output) {
        void awaitStatus(String server, String status) {
            Clients.awaitTrue("HAProxy to see " + backend + "/" + server + " " + status, () -> {
                assertThat(haproxy.isAlive()).as("haproxy runs; its output: %s", read(output)).isTrue();
                return status.equals(field(server, "status"));
            });
        }

        /** A column of {@code show stat} for a server of the backend (or BACKEND), such as status (UP, DOWN, ...); null while the socket is not there yet. */
        String field(String server, String name) {
            List<String> rows;
            try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
                rows = new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
            } catch (IOException notYet) {
                return null;
            }
            if (rows.isEmpty() || !rows.getFirst().startsWith("# ")) {
                return null;
            }
            int column = List.of(rows.getFirst().substring(2).split(",", -1)).indexOf(name);
            for (String row : rows) {
                String[] fields = row.split(",", -1);
                if (fields.length > column && fields[0].equals(backend) && fields[1].equals(server)) {
                    return fields[column];
                }
            }
            return null;
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }
}
