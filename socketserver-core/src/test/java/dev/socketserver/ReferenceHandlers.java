package dev.socketserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The reference handlers of §5 of python-socketserver.md, each as a {@link StreamRequestHandler}
 * (TCP, Unix stream) and a {@link DatagramRequestHandler} (UDP).
 */
final class ReferenceHandlers {
    private ReferenceHandlers() {
    }

    /** A reference handler in both shapes. */
    record Ref(String name, Supplier<? extends BaseRequestHandler<Connection>> stream,
               Supplier<? extends BaseRequestHandler<Datagram>> datagram) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** What a handler does with its request's input and output. */
    @FunctionalInterface
    interface Body {
        void run(BaseRequestHandler<?> handler, InputStream in, OutputStream out) throws Exception;
    }

    /** An ordinary exception, as RAISE throws it. */
    static final class HandlerFailure extends IllegalStateException {
        HandlerFailure(String message) {
            super(message);
        }
    }

    /** Stream: read one line and write it back. Datagram: write the datagram back. */
    static final Ref ECHOLINE = of("ECHOLINE", (h, in, out) -> out.write(readLine(in)), (h, in, out) -> in.transferTo(out));

    /** Write the worker id and {@code \n} at once. */
    static final Ref ID = of("ID", (h, in, out) -> out.write(idLine()));

    /** Raise an ordinary exception at once. */
    static final Ref RAISE = of("RAISE", (h, in, out) -> {
        throw new HandlerFailure("RAISE failed on purpose");
    });

    /** Write {@code partial}, then raise. */
    static final Ref WRITE_THEN_RAISE = of("WRITE_THEN_RAISE", (h, in, out) -> {
        out.write(bytes("partial"));
        throw new HandlerFailure("WRITE_THEN_RAISE failed on purpose");
    });

    /** Do nothing. */
    static final Ref SILENT = of("SILENT", (h, in, out) -> { });

    /** Read until EOF, then return. */
    static final Ref HOLD = of("HOLD", (h, in, out) -> in.transferTo(OutputStream.nullOutputStream()));

    /** Call the server's {@code shutdown()} from inside {@code handle}, then write {@code bye\n}. */
    static final Ref SHUTDOWN = of("SHUTDOWN", (h, in, out) -> {
        h.server().shutdown();
        out.write(bytes("bye\n"));
    });

    /** Read one line (or the datagram), sleep {@code d}, write the worker id and {@code \n}. */
    static Ref slow(Duration d) {
        return of("SLOW(" + d.toMillis() + "ms)", (h, in, out) -> {
            readLine(in);
            Thread.sleep(d);   // the request's work, as in the reference's SLOW(d): the thing under test
            out.write(idLine());
        });
    }

    static Ref of(String name, Body body) {
        return of(name, body, body);
    }

    static Ref of(String name, Body streamBody, Body datagramBody) {
        Supplier<StreamRequestHandler> stream = () -> new StreamRequestHandler() {
            @Override
            protected void handle() throws Exception {
                streamBody.run(this, rfile(), wfile());
            }
        };
        Supplier<DatagramRequestHandler> datagram = () -> new DatagramRequestHandler() {
            @Override
            protected void handle() throws Exception {
                datagramBody.run(this, rfile(), wfile());
            }
        };
        return new Ref(name, stream, datagram);
    }

    /** The bytes up to and including {@code \n}, or up to EOF. */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toByteArray();
    }

    static byte[] idLine() {
        return bytes(TestServers.workerId() + "\n");
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
