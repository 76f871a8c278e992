package dev.socketserver.internal.linux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ground of worker processes: a child JVM given a listening socket on its stdin picks it up with
 * {@code System.inheritedChannel()} and accepts from it, for TCP and for a Unix path.
 */
@Timeout(60)
class InheritedListenerTest {
    private static final String WORKER = """
            import java.nio.ByteBuffer;
            import java.nio.channels.ServerSocketChannel;
            public class Worker {
                public static void main(String[] args) throws Exception {
                    ServerSocketChannel listener = (ServerSocketChannel) System.inheritedChannel();
                    try (var connection = listener.accept()) {
                        String reply = ProcessHandle.current().pid() + " " + listener.getLocalAddress() + "\\n";
                        connection.write(ByteBuffer.wrap(reply.getBytes()));
                    }
                }
            }
            """;

    @TempDir(factory = ShortTempDirs.class)
    Path dir;

    @Test
    void aChildJvmAcceptsFromAnInheritedTcpListener() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            listener.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertWorkerServes(listener, dir);
        }
    }

    @Test
    void aChildJvmAcceptsFromAnInheritedUnixListener() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(dir.resolve("w.sock")));
            assertWorkerServes(listener, dir);
        }
    }

    private static void assertWorkerServes(ServerSocketChannel listener, Path dir) throws Exception {
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path source = Files.writeString(dir.resolve("Worker.java"), WORKER);
        SocketAddress address = listener.getLocalAddress();
        try (ChildReaper reaper = new ChildReaper()) {
            // stdout stays the parent's: the worker writes nothing there
            int pid = Spawner.spawn(List.of(launcher, "-XX:TieredStopAtLevel=1", source.toString()),
                    Map.of("PATH", "/usr/bin:/bin"), SocketDescriptors.fdOf(listener), Spawner.INHERIT);
            var exit = reaper.track(pid);
            try (SocketChannel client = SocketChannel.open(address)) {
                String reply = new String(Channels.newInputStream(client).readAllBytes(), StandardCharsets.UTF_8);
                assertThat(reply).isEqualTo(pid + " " + address + "\n");
            }
            assertThat(exit.get(30, TimeUnit.SECONDS).exitCode()).isZero();
            // the parent's listener still works after the worker is gone
            listener.configureBlocking(false);
            try (SocketChannel client = SocketChannel.open(address)) {
                client.write(ByteBuffer.wrap(new byte[] {1}));
                assertThat(NativeTesting.awaitAccept(SocketDescriptors.fdOf(listener), java.time.Duration.ofSeconds(10))).isNotNull();
            }
        }
    }
}
