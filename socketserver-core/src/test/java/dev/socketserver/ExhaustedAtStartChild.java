package dev.socketserver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The server of {@link DescriptorsExhaustedAtStartTest}, run in a child JVM with a low descriptor
 * limit: a virtual-thread echo server whose handlers do no I/O until the accept loop has run out
 * of descriptors, so that the first blocking socket read of any virtual thread, and the first log
 * record, happen while no descriptor is left. Prints {@code listening PORT}, then serves until killed.
 */
final class ExhaustedAtStartChild {
    private static volatile boolean exhausted;

    private ExhaustedAtStartChild() {
    }

    public static void main(String[] args) throws Exception {
        loadEveryClass();   // as a jar would: classes in a directory need a descriptor to load
        TcpServer server = new TcpServer(new InetSocketAddress("127.0.0.1", 0), conn -> {
            while (!exhausted) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));   // no I/O before the descriptors run out
            }
            conn.in().transferTo(conn.out());
        });
        Thread.ofPlatform().daemon().start(() -> {
            while (server.stats().acceptErrors() == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            exhausted = true;
        });
        System.out.println("listening " + ((InetSocketAddress) server.serverAddress()).getPort());
        System.out.flush();
        server.serveForever();
    }

    /** Loads (without initializing) every class of the library and of this class's directory. */
    private static void loadEveryClass() throws IOException, URISyntaxException {
        for (Class<?> anchor : new Class<?>[] {TcpServer.class, ExhaustedAtStartChild.class}) {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.endsWith("module-info.class")).toList()) {
                    String name = root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    try {
                        Class.forName(name, false, ExhaustedAtStartChild.class.getClassLoader());
                    } catch (ClassNotFoundException | LinkageError e) {
                        // a test class whose dependencies are not on this class path: not needed here
                    }
                }
            }
        }
    }
}
