package dev.socketserver.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The manifests of {@code deploy/kubernetes} are valid Kubernetes objects, checked offline by
 * {@code deploy/kubernetes/check} (the official Python client's typed models), and the
 * Deployment agrees with its container's command line: the probes point at the ports the command
 * listens on, and the preStop hook, {@code --drain-delay}, {@code --drain} and the probes' timing
 * fit in the grace period. (The command is not run here: the manifests are checked as text.)
 */
@Timeout(60)
class KubernetesManifestsTest {
    private static final Path DIRECTORY = Path.of("..", "deploy", "kubernetes");
    private static final Path DEPLOYMENT = DIRECTORY.resolve("deployment.yaml");
    private static final Path SERVICE = DIRECTORY.resolve("service.yaml");
    private static final String CONTAINER = "deployment.yaml#0/spec/template/spec/containers/0/";
    /** What the grace period keeps beyond preStop, the drain delay and the drain: the JVM's exit, a slow node. */
    private static final Duration MIN_MARGIN = Duration.ofSeconds(5);

    private static String python;

    @TempDir
    Path dir;

    @BeforeAll
    static void theKubernetesClientIsInstalled() throws Exception {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            if (run(List.of(candidate, "-c", "import kubernetes, yaml"), Path.of(".")).status() == 0) {
                python = candidate;
                return;
            }
        }
        assumeTrue(false, "python3 with the kubernetes and yaml packages is not installed (Debian python3-kubernetes and python3-yaml;"
                + " .ci/install-os-tools kubernetes installs them): the manifests are not checked here");
    }

    @Test
    void everyObjectDeserializesIntoTheClientsTypedModel() throws Exception {
        Ran check = check("deployment.yaml", "service.yaml");
        assertThat(check.stderr()).isEmpty();
        assertThat(check.status()).isZero();
    }

    @Test
    void anUnknownFieldOrAWrongTypeIsRefused() throws Exception {
        String deployment = Files.readString(DEPLOYMENT);
        Path misspelt = Files.writeString(dir.resolve("misspelt.yaml"), deployment.replace("readinessProbe:", "readinesProbe:"));
        Path wrongType = Files.writeString(dir.resolve("wrong-type.yaml"), deployment.replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 45s"));
        assertThat(misspelt).content().isNotEqualTo(deployment);
        assertThat(wrongType).content().isNotEqualTo(deployment);

        Ran check = check(misspelt.toAbsolutePath().toString(), wrongType.toAbsolutePath().toString());
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.stderr()).contains("misspelt.yaml#0/spec/template/spec/containers/0/readinesProbe: unknown field of V1Container")
                .contains("wrong-type.yaml#0/spec/template/spec/terminationGracePeriodSeconds: expected int, got \"45s\"");
    }

    @Test
    void theProbesPreStopHookAndGracePeriodAgreeWithTheCommandLine() throws Exception {
        Ran check = check("--flat", "deployment.yaml", "service.yaml");
        assertThat(check.status()).as(check.stderr()).isZero();
        Map<String, String> values = new LinkedHashMap<>();
        check.stdout().lines().forEach(line -> values.put(line.substring(0, line.indexOf('\t')), line.substring(line.indexOf('\t') + 1)));

        List<String> args = list(values, CONTAINER + "args/");
        assertThat(args.getFirst()).isEqualTo("echo");
        int listenPort = port(flag(args, "--listen"));
        int readyPort = port(flag(args, "--ready-listen"));
        assertThat(args).as("PROXY protocol from the load balancer's network only").contains("--proxy-protocol");
        assertThat(flag(args, "--trusted")).matches("[0-9a-f.:]+/\\d+(,[0-9a-f.:]+/\\d+)*");
        Duration drain = Durations.parse(flag(args, "--drain"));
        Duration drainDelay = Durations.parse(flag(args, "--drain-delay"));

        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; values.containsKey(CONTAINER + "ports/" + i + "/name"); i++) {
            ports.put(text(values, CONTAINER + "ports/" + i + "/name"), number(values, CONTAINER + "ports/" + i + "/containerPort"));
        }
        assertThat(ports).as("the container's ports are the command's").containsValues(listenPort, readyPort);
        assertThat(resolve(ports, values.get(CONTAINER + "readinessProbe/tcpSocket/port"))).as("readiness: the ready socket").isEqualTo(readyPort);
        assertThat(resolve(ports, values.get(CONTAINER + "livenessProbe/tcpSocket/port"))).as("liveness: the service port").isEqualTo(listenPort);
        assertThat(resolve(ports, values.get("service.yaml#0/spec/ports/0/targetPort"))).as("the Service sends to the service port").isEqualTo(listenPort);
        assertThat(list(values, "service.yaml#0/spec/selector/")).isEqualTo(list(values, "deployment.yaml#0/spec/template/metadata/labels/"));

        Duration readinessNotices = seconds(values, CONTAINER + "readinessProbe/periodSeconds")
                .multipliedBy(number(values, CONTAINER + "readinessProbe/failureThreshold"));
        assertThat(readinessNotices).as("the readiness probe sees the closed ready socket within --drain-delay, before the listener closes")
                .isLessThanOrEqualTo(drainDelay);
        Duration livenessKills = seconds(values, CONTAINER + "livenessProbe/periodSeconds")
                .multipliedBy(number(values, CONTAINER + "livenessProbe/failureThreshold"));
        assertThat(livenessKills).as("the liveness probe does not kill a pod whose listener is closed for --drain").isGreaterThan(drain);

        assertThat(list(values, CONTAINER + "lifecycle/preStop/exec/command/")).as("preStop").hasSize(2).first().asString().endsWith("/sleep");
        Duration preStop = Duration.ofSeconds(Long.parseLong(list(values, CONTAINER + "lifecycle/preStop/exec/command/").get(1)));
        Duration grace = seconds(values, "deployment.yaml#0/spec/template/spec/terminationGracePeriodSeconds");
        assertThat(grace).as("the grace period: preStop %s + --drain-delay %s + --drain %s + at least %s", preStop, drainDelay, drain, MIN_MARGIN)
                .isGreaterThanOrEqualTo(preStop.plus(drainDelay).plus(drain).plus(MIN_MARGIN));
    }

    @Test
    void theContainersCommandLineRunsAndStopsAsTheManifestSays() throws Exception {
        Ran check = check("--flat", "deployment.yaml");
        assertThat(check.status()).as(check.stderr()).isZero();
        Map<String, String> values = new LinkedHashMap<>();
        check.stdout().lines().forEach(line -> values.put(line.substring(0, line.indexOf('\t')), line.substring(line.indexOf('\t') + 1)));
        List<String> args = list(values, CONTAINER + "args/").stream()
                .map(arg -> arg.matches("tcp://0\\.0\\.0\\.0:\\d+") ? "tcp://127.0.0.1:0" : arg)   // the same flags, on free loopback ports
                .toList();

        try (var cli = CliProcess.start(args.toArray(String[]::new))) {
            assertThat(cli.awaitListening()).startsWith("tcp://127.0.0.1:");
            Clients.awaitTrue("the ready socket's line", () -> cli.stderr().contains("socketserver: ready on tcp://127.0.0.1:"));
            cli.sigterm();
            Clients.awaitTrue("the drain delay begins", () -> cli.stderr().contains("serving on for " + Durations.parse(flag(args, "--drain-delay")).toMillis() + " ms"));
            cli.sigint();   // a second signal: no need to wait out the delay here
            assertThat(cli.awaitExit()).isZero();
        }
    }

    /** The port of {@code tcp://HOST:PORT}, whose host must not be loopback: the kubelet and the Service connect from outside the pod. */
    private static int port(String address) {
        URI uri = URI.create(address);
        assertThat(uri.getScheme()).isEqualTo("tcp");
        assertThat(uri.getHost()).as("a pod listens beyond loopback").isNotIn("127.0.0.1", "localhost", "[::1]");
        return uri.getPort();
    }

    /** A probe's or a Service's port: a number, or the name of one of the container's ports. */
    private static int resolve(Map<String, Integer> ports, String json) {
        assertThat(json).isNotNull();
        return json.startsWith("\"") ? ports.getOrDefault(json.substring(1, json.length() - 1), -1) : Integer.parseInt(json);
    }

    private static String flag(List<String> args, String name) {
        int at = args.indexOf(name);
        assertThat(at).as(name + " in the container's args").isPositive();
        return args.get(at + 1);
    }

    /** The values under {@code prefix} (a list's items or a map's values), in order, as text. */
    private static List<String> list(Map<String, String> values, String prefix) {
        List<String> items = new ArrayList<>();
        values.forEach((path, value) -> {
            if (path.startsWith(prefix)) {
                items.add(unquote(value));
            }
        });
        return items;
    }

    private static String text(Map<String, String> values, String path) {
        assertThat(values).containsKey(path);
        return unquote(values.get(path));
    }

    private static int number(Map<String, String> values, String path) {
        assertThat(values).containsKey(path);
        return Integer.parseInt(values.get(path));
    }

    private static Duration seconds(Map<String, String> values, String path) {
        return Duration.ofSeconds(number(values, path));
    }

    /** A JSON string as text (our manifests' strings have no escapes), or a number as it is. */
    private static String unquote(String json) {
        return json.startsWith("\"") ? json.substring(1, json.length() - 1) : json;
    }

    /** Runs the check in its directory, so that it names the manifests as they are named there. */
    private static Ran check(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(python, DIRECTORY.resolve("check").toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        return run(command, DIRECTORY);
    }

    private record Ran(int status, String stdout, String stderr) {
    }

    private static Ran run(List<String> command, Path directory) throws Exception {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).start();
        } catch (IOException notThere) {
            return new Ran(127, "", notThere.toString());
        }
        var stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        var stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(CliProcess.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " still runs after " + CliProcess.PATIENCE);
        }
        return new Ran(process.exitValue(), stdout.get(), stderr.get());
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
