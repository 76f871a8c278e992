package dev.socketserver.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed {@code deploy/haproxy/haproxy.cfg}, read as HAProxy reads it, and rendered with a
 * test's addresses in place of its own: the frontend's {@code bind}, each {@code server}'s address
 * and the {@code stats socket}; every other line stays as committed. The instances' command
 * lines are its {@code # run: socketserver ...} comments, one per server, in order.
 */
record HaproxyConfig(List<String> lines) {
    static final Path DIRECTORY = Path.of("..", "deploy", "haproxy");

    static HaproxyConfig committed() throws IOException {
        Path file = DIRECTORY.resolve("haproxy.cfg");
        assertThat(file).exists();
        return new HaproxyConfig(Files.readAllLines(file));
    }

    /** The haproxy program: on the PATH, or in the sbin directories a user's PATH may lack. */
    static Optional<Path> program() {
        Stream<String> path = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"));
        return Stream.concat(path, Stream.of("/usr/sbin", "/usr/local/sbin", "/sbin"))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "haproxy"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** The words of each {@code # run: socketserver ...} line after {@code socketserver}. */
    List<List<String>> instanceCommands() {
        return lines.stream()
                .filter(line -> line.startsWith("# run: socketserver "))
                .map(line -> List.of(line.substring("# run: socketserver ".length()).strip().split("\\s+")))
                .toList();
    }

    /** The name of the one backend. */
    String backend() {
        List<String> backends = statements("backend");
        assertThat(backends).as("backends").hasSize(1);
        return backends.getFirst().split("\\s+")[1];
    }

    /** The {@code server} lines' names and ports, in order. */
    List<String> serverNames() {
        return statements("server").stream().map(server -> server.split("\\s+")[1]).toList();
    }

    List<Integer> serverPorts() {
        return statements("server").stream().map(server -> port(server.split("\\s+")[2])).toList();
    }

    /** The value after {@code keyword} on the {@code default-server} line, such as its maxconn. */
    String defaultServer(String keyword) {
        List<String> words = List.of(statements("default-server").getFirst().split("\\s+"));
        int at = words.indexOf(keyword);
        assertThat(at).as(keyword + " on default-server").isPositive();
        return words.get(at + 1);
    }

    /** Whether the {@code default-server} line has {@code keyword}, such as {@code send-proxy-v2}. */
    boolean defaultServerHas(String keyword) {
        return List.of(statements("default-server").getFirst().split("\\s+")).contains(keyword);
    }

    /** The lines that start with {@code keyword} (indentation and comments aside). */
    List<String> statements(String keyword) {
        return lines.stream().map(String::strip).filter(line -> line.startsWith(keyword + " ")).toList();
    }

    /** This configuration with the test's frontend, servers (in order) and stats socket. */
    String render(InetSocketAddress frontend, List<InetSocketAddress> servers, Path statsSocket) {
        List<String> out = new ArrayList<>();
        int server = 0;
        for (String line : lines) {
            String indent = line.substring(0, line.length() - line.stripLeading().length());
            String[] words = line.strip().split("\\s+");
            if (words[0].equals("bind")) {
                words[1] = text(frontend);
            } else if (words[0].equals("server")) {
                words[2] = text(servers.get(server++));
            } else if (words[0].equals("stats") && words.length > 2 && words[1].equals("socket")) {
                words[2] = statsSocket.toString();
            } else {
                out.add(line);
                continue;
            }
            out.add(indent + String.join(" ", words));
        }
        assertThat(server).as("server lines").isEqualTo(servers.size());
        return String.join("\n", out) + "\n";
    }

    static String text(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static int port(String hostAndPort) {
        return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
    }
}
