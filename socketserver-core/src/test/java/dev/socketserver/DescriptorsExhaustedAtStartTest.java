package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * reliability.md A1 for the library, at the worst moment: a server on virtual threads whose very
 * first requests arrive in a flood that takes every descriptor ({@code ulimit -n 128}) before any
 * request thread has blocked on a socket. The JDK creates its virtual-thread I/O pollers at that
 * first blocking call, and had it failed then, every later read of every virtual thread would fail
 * too; the server starts them when it is created, so once clients close it serves again. The
 * first log record, the accept error, is written too: its timestamp needs the time-zone data,
 * which the server reads when it is created.
 */
@Timeout(60)
class DescriptorsExhaustedAtStartTest {

    @Test
    void aServerFloodedBeforeItsFirstBlockingReadServesAgainOnceClientsClose() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Files.isDirectory(Path.of(entry))).collect(Collectors.joining(File.pathSeparator));
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("bash", "-c", "ulimit -n 128 && exec \"$@\"", "bash",
                launcher, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath, ExhaustedAtStartChild.class.getName())
                .redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        List<Socket> flood = new ArrayList<>();
        try {
            var lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                String line = readLine(lines);
                while (line != null && !line.startsWith("listening ")) {   // the child's log lines come first
                    line = readLine(lines);
                }
                return line;
            }).get(20, TimeUnit.SECONDS);
            assertThat(first).startsWith("listening ");
            Thread.ofPlatform().daemon().start(() -> {
                for (String line = readLine(lines); line != null; line = readLine(lines)) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            });
            var server = new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring("listening ".length())));
            for (int i = 0; i < 300; i++) {
                Socket client = new Socket();
                client.connect(server, 5_000);
                flood.add(client);
            }
            TestServers.await(Duration.ofSeconds(20), "the child runs out of descriptors", () -> {
                synchronized (output) {
                    return output.toString().contains("Too many open files");
                }
            });
            for (Socket client : flood.subList(0, 250)) {
                client.close();
            }
            String reply = null;
            long start = System.nanoTime();
            while (reply == null && TestServers.since(start).compareTo(Duration.ofSeconds(10)) < 0) {
                reply = tryEcho(server);
            }
            synchronized (output) {
                assertThat(reply).as("an echo once clients closed; the child said:%n%s", output).isEqualTo("served again");
                assertThat(output.toString()).doesNotContain("Poller", "NoClassDefFoundError", "ExceptionInInitializerError");
            }
            assertThat(child.isAlive()).isTrue();
        } finally {
            for (Socket client : flood) {
                client.close();
            }
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** One echo, or null if the connection was closed or timed out (the child may still be catching up). */
    private static String tryEcho(InetSocketAddress server) {
        try (Socket client = new Socket()) {
            client.connect(server, 5_000);
            client.setSoTimeout(2_000);
            client.getOutputStream().write("served again".getBytes(StandardCharsets.UTF_8));
            byte[] reply = client.getInputStream().readNBytes(12);
            return reply.length == 12 ? new String(reply, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String readLine(BufferedReader lines) {
        try {
            return lines.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
