package dev.socketserver.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TestServer#redis()}: the Redis-compatible server in this JVM, per method here, with the leak check. */
@Timeout(30)
class RedisTestServerTest {

    @RegisterExtension
    TestServer redis = TestServer.redis().withLeakCheck();

    @Test
    void answersRespOnItsPortAndKeepsWhatIsSet() throws IOException {
        try (Socket client = new Socket(redis.host(), redis.port())) {
            client.setSoTimeout(10_000);
            assertThat(command(client, "PING")).isEqualTo("+PONG\r\n");
            assertThat(command(client, "SET", "greeting", "hello")).isEqualTo("+OK\r\n");
            assertThat(command(client, "GET", "greeting")).isEqualTo("$5\r\nhello\r\n");
        }
    }

    @Test
    void eachMethodGetsAnEmptyServer() throws IOException {
        try (Socket client = new Socket(redis.host(), redis.port())) {
            client.setSoTimeout(10_000);
            assertThat(command(client, "DBSIZE")).isEqualTo(":0\r\n");
        }
    }

    @Test
    void theExpirySweepEndsWithTheServer() throws Exception {
        TestServer byHand = TestServer.redis();
        byHand.start();
        try (Socket client = new Socket(byHand.host(), byHand.port())) {
            client.setSoTimeout(10_000);
            assertThat(command(client, "SET", "k", "v", "PX", "60000")).isEqualTo("+OK\r\n");
        }
        int running = sweeps();   // this server's and the one the extension started for this method
        assertThat(running).as("the sweeps running").isEqualTo(2);
        byHand.close();
        assertThat(sweeps()).as("closing the kit's server closes the RedisServer, sweep included").isEqualTo(running - 1);
    }

    private static int sweeps() throws IOException {
        return threadDump().split("\"redis-expiry\"", -1).length - 1;
    }

    /** Every thread of this JVM, virtual ones included (which Thread.getAllStackTraces leaves out), as the JDK's JSON thread dump. */
    private static String threadDump() throws IOException {
        Path file = Files.createTempDirectory("dump").resolve("threads.json");
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return Files.readString(file);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        }
    }

    /** Sends one multibulk request and reads the reply's bytes until the reply is complete (simple replies and one bulk string). */
    private static String command(Socket client, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        client.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
        InputStream in = client.getInputStream();
        String first = line(in);
        if (first.startsWith("$") && !first.equals("$-1\r\n")) {
            return first + line(in);
        }
        return first;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b >= 0; b = in.read()) {
            line.append((char) b);
            if (line.length() >= 2 && line.charAt(line.length() - 2) == '\r' && b == '\n') {
                break;
            }
        }
        return line.toString();
    }
}
