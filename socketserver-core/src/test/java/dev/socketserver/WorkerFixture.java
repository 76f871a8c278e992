package dev.socketserver;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A program that is both supervisor and worker of {@link Concurrency#workerProcesses}, for
 * {@link WorkerProcessesTest}. Arguments: {@code tcp|unix:PATH WORKERS INNER [crash|timeout=2S]},
 * where INNER is {@code virtual} or {@code bounded:N}. The supervisor prints {@code listening URI} on
 * standard output. Each connection answers lines: {@code pid} with the worker's pid, {@code hold}
 * with {@code held PID} and then waits for {@code release}, answered with {@code released PID}.
 * With {@code crash}, every worker exits with status 3 at once.
 */
public final class WorkerFixture {
    private WorkerFixture() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 3 && args[3].equals("crash") && Concurrency.isWorkerProcess()) {
            System.exit(3);
        }
        int workers = Integer.parseInt(args[1]);
        ThreadModel inner = args[2].startsWith("bounded:") ? Concurrency.bounded(Integer.parseInt(args[2].substring(8))) : Concurrency.virtualThreads();
        Duration timeout = args.length > 3 && args[3].startsWith("timeout=") ? Duration.parse("PT" + args[3].substring(8)) : Concurrency.DEFAULT_WORKER_TIMEOUT;
        Concurrency concurrency = Concurrency.workerProcesses(workers, inner, timeout);
        ConnectionHandler handler = WorkerFixture::serve;
        try (StreamServer server = args[0].startsWith("unix:")
                ? new UnixStreamServer(Path.of(args[0].substring(5)), handler, concurrency)
                : new TcpServer(new InetSocketAddress("127.0.0.1", 0), handler, concurrency)) {
            if (!Concurrency.isWorkerProcess()) {
                System.out.println("listening " + server.serverUri());
                System.out.flush();
            }
            server.serveForever();
        }
    }

    private static void serve(Connection connection) throws Exception {
        long pid = ProcessHandle.current().pid();
        BufferedReader in = new BufferedReader(new InputStreamReader(connection.in(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(connection.out(), StandardCharsets.UTF_8);
        String line;
        while ((line = in.readLine()) != null) {
            switch (line) {
                case "pid" -> out.write(pid + "\n");
                case "hold" -> out.write("held " + pid + "\n");
                case "release" -> out.write("released " + pid + "\n");
                default -> out.write("unknown " + line + "\n");
            }
            out.flush();
        }
    }
}
