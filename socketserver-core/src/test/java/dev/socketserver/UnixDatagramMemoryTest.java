package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * 100,000 datagrams echoed over a Unix datagram socket leave the JVM's native memory where it was:
 * the FFM layer allocates per socket, never per datagram. Measured with Native Memory Tracking
 * (the surefire argLine enables it), category "Other", where FFM arenas' allocations are counted.
 */
@Timeout(120)
class UnixDatagramMemoryTest {
    private static final int DATAGRAMS = 100_000;
    private static final long ALLOWED_GROWTH = 1024 * 1024;   // 100,000 datagrams × even 16 bytes would be 1.6 MB

    @Test
    void nativeMemoryStaysFlatOverAHundredThousandDatagrams() throws Exception {
        assumeTrue(nativeMemoryOther() >= 0, "run with -XX:NativeMemoryTracking=summary");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ugmem");
        UnixAddress serverAddress = UnixAddress.of(dir.resolve("s.sock"));
        byte[] payload = new byte[512];
        Arrays.fill(payload, (byte) 'x');
        try (var server = new UnixDatagramServer(serverAddress, d -> d.reply(d.data()), Concurrency.synchronous());
             var client = UnixDatagramSocket.bind(UnixAddress.of(dir.resolve("c.sock")))) {
            Thread serving = UnixDatagramServerTest.serve(server);
            echo(client, serverAddress, payload, 5_000);   // warm up
            long before = nativeMemoryOther();
            echo(client, serverAddress, payload, DATAGRAMS);
            long after = nativeMemoryOther();
            assertThat(after - before).as("native memory growth over %d datagrams (before %d, after %d)", DATAGRAMS, before, after)
                    .isLessThan(ALLOWED_GROWTH);
            server.shutdown();
            serving.join(5_000);
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static void echo(UnixDatagramSocket client, UnixAddress server, byte[] payload, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            client.send(payload, server);
            Datagram reply = client.receive(Duration.ofSeconds(5));
            if (reply.data().length != payload.length) {
                throw new AssertionError("reply " + i + " has " + reply.data().length + " bytes");
            }
        }
    }

    /** Committed bytes of NMT's "Other" category, or -1 when tracking is off. */
    private static long nativeMemoryOther() throws Exception {
        String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[] {new String[] {"summary", "scale=b"}}, new String[] {String[].class.getName()});
        Matcher m = Pattern.compile("-\\s+Other \\(reserved=(\\d+)[^,]*, committed=(\\d+)").matcher(summary);
        return m.find() ? Long.parseLong(m.group(2)) : -1;
    }
}
