package dev.socketserver;

import java.util.Objects;
import java.util.function.Supplier;

/** Turns the functional handler shapes into handler factories. */
final class FunctionHandlers {
    private FunctionHandlers() {
    }

    static Supplier<BaseRequestHandler<Connection>> of(ConnectionHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return () -> new BaseRequestHandler<>() {
            @Override
            protected void handle() throws Exception {
                handler.handle(request());
            }
        };
    }

    static Supplier<BaseRequestHandler<Datagram>> of(DatagramHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return () -> new BaseRequestHandler<>() {
            @Override
            protected void handle() throws Exception {
                handler.handle(request());
            }
        };
    }
}
