package dev.socketserver.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code unix:@NAME}: a Unix stream server at a name in Linux's abstract namespace, in every
 * concurrency model, also when systemd passes it; checked with socat's {@code ABSTRACT-CONNECT},
 * since the JDK cannot connect to an abstract name ({@code .ci/install-os-tools} installs socat).
 */
@Timeout(90)
class AbstractUnixStreamTest {
    private static final AtomicInteger NAMES = new AtomicInteger();

    @BeforeAll
    static void socatIsInstalled() {
        assumeTrue(onPath("socat"), "socat is not installed (Debian package socat; .ci/install-os-tools installs it): skipping the abstract Unix stream tests");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sync", "threads", "virtual", "workers:2", "async"})
    void echoesOnAnAbstractName(String mode) throws Exception {
        String name = freshName();
        try (var cli = CliProcess.start("echo", "--listen", "unix:@" + name, "--concurrency", mode)) {
            assertThat(cli.awaitListening()).isEqualTo("unix:@" + name);
            for (int i = 0; i < 4; i++) {   // with workers:2, most likely both workers
                assertThat(socatExchange(name, "over abstract " + i + "\n")).isEqualTo("over abstract " + i + "\n");
            }
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void aTakenNameIsOneLineAndExitOne() throws Exception {
        String name = freshName();
        try (var first = CliProcess.start("echo", "--listen", "unix:@" + name)) {
            first.awaitListening();
            var second = CliProcess.run("echo", "--listen", "unix:@" + name);
            assertThat(second.status()).isEqualTo(1);
            assertThat(second.stderr()).hasSize(1);
            assertThat(second.stderr().getFirst()).contains("unix:@" + name).contains("EADDRINUSE");
        }
    }

    @Test
    void whatAnAbstractNameCannotHaveIsAUsageError() throws Exception {
        var mode = CliProcess.run("echo", "--listen", "unix:@" + freshName(), "--socket-mode", "600");
        assertThat(mode.status()).isEqualTo(2);
        assertThat(String.join("\n", mode.stderr())).contains("--socket-mode applies to a socket file");
        var redis = CliProcess.run("redis", "--listen", "unix:@" + freshName());
        assertThat(redis.status()).isEqualTo(2);
        assertThat(String.join("\n", redis.stderr())).contains("serves unix: socket files, not the abstract name");
    }

    @Test
    void servesTheAbstractSocketSystemdPassed() throws Exception {
        assumeTrue(onPath("systemd-socket-activate"), "systemd-socket-activate is not installed (Debian package systemd): skipping");
        String name = freshName();
        try (var cli = CliProcess.startThrough(List.of("systemd-socket-activate", "-l", "@" + name), "echo", "--listen", "systemd:")) {
            Clients.awaitTrue("the launcher to listen on @" + name, () -> cli.stderr().contains("Listening on @" + name));
            assertThat(socatExchange(name, "activated\n")).isEqualTo("activated\n");   // the first client starts the command
            assertThat(cli.awaitListening()).isEqualTo("unix:@" + name);
            assertThat(socatExchange(name, "again\n")).isEqualTo("again\n");
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    private static String freshName() {
        return "socketserver-cli-stream-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }

    /** Sends {@code text} with {@code socat - ABSTRACT-CONNECT:NAME} and returns what came back before the server closed. */
    private static String socatExchange(String name, String text) throws Exception {
        Process socat = new ProcessBuilder("socat", "-t", "10", "-", "ABSTRACT-CONNECT:" + name).redirectErrorStream(true).start();
        try {
            socat.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            socat.getOutputStream().close();   // EOF: echo ends the connection once it has answered
            String reply = new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(socat.waitFor(CliProcess.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(socat.exitValue()).as("socat: %s", reply).isZero();
            return reply;
        } finally {
            socat.destroyForcibly();
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/bin", command)) || Files.isExecutable(Path.of("/usr/sbin", command));
    }
}
