package dev.socketserver.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Redis's own tools against {@code socketserver redis}, in both families: {@code redis-cli} runs
 * the commands a user types, {@code redis-benchmark} its standard tests. Skipped where the tools
 * are not installed (Debian: {@code redis-tools}).
 */
@Timeout(180)
class RedisToolsTest {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void redisCliRunsTheCommandsAUserTypes(String mode) throws Exception {
        assumeTrue(onPath("redis-cli"), "redis-cli is not installed (Debian package redis-tools): skipped");
        try (var cli = CliProcess.start("redis", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode)) {
            String port = Integer.toString(cli.awaitInetAddress().getPort());
            assertThat(redisCli(port, "set", "greeting", "hello")).isEqualTo("OK");
            assertThat(redisCli(port, "get", "greeting")).isEqualTo("hello");
            assertThat(redisCli(port, "incr", "counter")).isEqualTo("1");
            assertThat(redisCli(port, "lpush", "list", "a", "b")).isEqualTo("2");
            assertThat(redisCli(port, "lrange", "list", "0", "-1")).isEqualTo("b\na");
            assertThat(redisCli(port, "hset", "hash", "field", "value")).isEqualTo("1");
            assertThat(redisCli(port, "hgetall", "hash")).isEqualTo("field\nvalue");
            assertThat(redisCli(port, "ttl", "greeting")).isEqualTo("-1");
            assertThat(redisCli(port, "nosuchcommand")).startsWith("ERR unknown command 'nosuchcommand'");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async"})
    void redisBenchmarkCompletesWithoutAnError(String mode) throws Exception {
        assumeTrue(onPath("redis-benchmark"), "redis-benchmark is not installed (Debian package redis-tools): skipped");
        try (var cli = CliProcess.start("redis", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode)) {
            String port = Integer.toString(cli.awaitInetAddress().getPort());
            String output = run(List.of("redis-benchmark", "-p", port, "-t", "ping,set,get,incr,lpush,lpop,mset",
                    "-n", "20000", "-P", "16", "-q"));
            assertThat(output).doesNotContainIgnoringCase("error").doesNotContain("WARNING");
            for (String test : List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "LPOP", "MSET")) {
                assertThat(output).as(output).containsPattern(test + "[^:]*: [0-9.]+ requests per second");
            }
        }
    }

    private static String redisCli(String port, String... command) throws Exception {
        var arguments = new ArrayList<>(List.of("redis-cli", "-p", port));
        arguments.addAll(List.of(command));
        return run(arguments).strip();
    }

    /** Runs a program to its end, with its output (standard error merged in) through a file so that no pipe fills. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("redis-tool", ".out");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within 120 s");
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as(text).isZero();
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, program))) {
                return true;
            }
        }
        return false;
    }
}
