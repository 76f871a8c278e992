package dev.socketserver.bench.jmh;

import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * What each concurrency model costs per request, on loopback, one client at a time:
 *
 * <ul>
 * <li>{@link #request}: one request in Python's sense, a connection: connect, send a line, read
 *     the echo, see the server close. Accepting, handing the connection to the model (inline, a
 *     new platform thread, a new virtual thread, a permit and a virtual thread, an event loop),
 *     running the handler and closing are all in it.</li>
 * <li>{@link #roundTrip}: one 64-byte echo on a connection that stays open: the cost of a
 *     blocking read and write in the model's thread (or of a loop wake-up for async).</li>
 * </ul>
 *
 * Both include the kernel's loopback TCP, the same for every model; compare the models with
 * each other, not with zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DispatchBenchmark {
    private static final byte[] LINE = "ping\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @Param({"sync", "threads", "virtual", "bounded", "async"})
    public String model;

    private Servers requestServer;
    private Servers echoServer;
    private SocketChannel open;
    private final ByteBuffer line = ByteBuffer.allocateDirect(LINE.length);
    private final ByteBuffer reply = ByteBuffer.allocateDirect(LINE.length + 1);
    private final ByteBuffer message = ByteBuffer.allocateDirect(64);
    private final ByteBuffer echo = ByteBuffer.allocateDirect(64);

    @Setup(Level.Trial)
    public void start() throws IOException {
        line.put(LINE).flip();
        requestServer = Servers.start(model, connection -> {
            String text = connection.readLine();
            connection.out().write((text + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }, LineOnce::new);
        echoServer = Servers.start(model, connection -> connection.in().transferTo(connection.out()), Echo::new);
        open = echoServer.connect();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        open.close();
        requestServer.close();
        echoServer.close();
    }

    /** Connect, send a line, read it back, see EOF, close. */
    @Benchmark
    public int request() throws IOException {
        try (SocketChannel channel = requestServer.connect()) {
            channel.write(line.rewind());
            reply.clear();
            int n;
            while ((n = channel.read(reply)) >= 0) {
                if (n == 0 && !reply.hasRemaining()) {
                    throw new IOException("more than a line came back");
                }
            }
            if (reply.position() != LINE.length) {
                throw new IOException("expected " + LINE.length + " bytes back, got " + reply.position());
            }
            return reply.position();
        }
    }

    /** One 64-byte message there and back on an open connection. */
    @Benchmark
    public int roundTrip() throws IOException {
        open.write(message.clear());
        Servers.readFully(open, echo.clear());
        return echo.get(0);
    }

    /** The async server's side of {@link #request}: answer the first line and close. */
    static final class LineOnce implements Protocol {
        private Transport transport;
        private final ByteBuffer pending = ByteBuffer.allocate(256);

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining() && pending.hasRemaining()) {
                byte b = data.get();
                pending.put(b);
                if (b == '\n') {
                    transport.write(pending.flip());
                    transport.close();
                    return;
                }
            }
        }
    }

    /** The async server's side of {@link #roundTrip}. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }
}
