package dev.socketserver.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Reading lines from a connection's input ({@code rfile} in Python): {@code Connection.readLine()}
 * against the JDK's {@link BufferedReader#readLine()} over {@code Connection.in()}, both in a
 * {@link dev.socketserver.TcpServer} handler on a virtual thread.
 *
 * <p>Each invocation sends {@value #LINES} lines in one write, then an empty line; the handler
 * reads them all and answers the empty line with one byte. The score is per line, so the one round
 * trip per batch is spread over {@value #LINES} lines.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ReadLineBenchmark {
    static final int LINES = 1000;

    @Param({"readLine", "bufferedReader"})
    public String reader;

    @Param({"32", "512"})
    public int length;

    private Servers server;
    private SocketChannel client;
    private ByteBuffer batch;
    private final ByteBuffer ack = ByteBuffer.allocateDirect(1);

    @Setup(Level.Trial)
    public void start() throws IOException {
        boolean ours = reader.equals("readLine");
        server = Servers.start("virtual", connection -> {
            BufferedReader buffered = ours ? null
                    : new BufferedReader(new InputStreamReader(connection.in(), StandardCharsets.UTF_8));
            String line;
            while ((line = ours ? connection.readLine() : buffered.readLine()) != null) {
                if (line.isEmpty()) {
                    connection.out().write('k');
                }
            }
        }, null);
        client = server.connect();
        String line = "x".repeat(length - 1) + "\n";
        byte[] bytes = (line.repeat(LINES) + "\n").getBytes(StandardCharsets.US_ASCII);
        batch = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        client.close();
        server.close();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public byte lines() throws IOException {
        batch.rewind();
        while (batch.hasRemaining()) {
            client.write(batch);
        }
        Servers.readFully(client, ack.clear());
        return ack.get(0);
    }
}
