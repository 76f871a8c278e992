package dev.socketserver.cli;

import dev.socketserver.ConnectionHandler;
import dev.socketserver.Server;
import dev.socketserver.redis.RedisServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;

/**
 * {@code socketserver redis}: a Redis-compatible server (RESP2, in memory, one database), served
 * by the blocking handlers or the event loop from one engine; see {@link RedisServer}. It listens
 * on Redis's port, 6379, unless told otherwise.
 */
@Command(name = "redis",
        description = "Redis-compatible server: RESP2, in memory, one database, the common commands of strings, "
                + "keys with expiry, lists, sets, hashes and sorted sets. Talk to it with redis-cli -p PORT. "
                + "Stream addresses only; the process models (workers:N) cannot share its data.",
        defaultValueProvider = RedisCommand.DefaultPort.class)
final class RedisCommand extends ServerCommand {
    static final String DEFAULT_LISTEN = "tcp://127.0.0.1:6379";

    /** Redis's port instead of the other commands' 9000. */
    static final class DefaultPort implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec argument) {
            return argument instanceof OptionSpec option && option.longestName().equals("--listen") ? DEFAULT_LISTEN : null;
        }
    }

    @Override
    Server open(LinePrinter lines) throws IOException {
        var redis = RedisServer.builder().options(Servers.options(options.listen, options));
        switch (options.listen) {
            case ListenAddress.Tcp(String host, int port) -> redis.listen(Servers.resolve(options.listen, host, port));
            case ListenAddress.Unix(var unixAddress) when !unixAddress.isAbstract() -> redis.listen(unixAddress.path());
            case ListenAddress.Unix(var unixAddress) -> throw new IllegalArgumentException(
                    "socketserver redis serves unix: socket files, not the abstract name " + options.listen);
            default -> throw new IllegalArgumentException("socketserver redis serves stream addresses (tcp://, unix:), not "
                    + options.listen + ": RESP needs a connection");
        }
        switch (options.concurrency) {
            case Mode.Async(int loops) -> redis.eventLoop(loops);
            case Mode.Blocking(var concurrency) -> redis.concurrency(concurrency);
        }
        return redis.build().server();
    }

    @Override
    ConnectionHandler oneConnectionHandler(LinePrinter lines) {
        throw new IllegalArgumentException("socketserver redis serves a listening socket (tcp://, unix:, systemd:), "
                + "not the one connection of " + options.listen + ": its data would end with the connection");
    }

    /** Not used: {@link #open} builds the server from {@link RedisServer}. */
    @Override
    Service service(LinePrinter out) {
        throw new UnsupportedOperationException("socketserver redis builds its server with RedisServer");
    }
}
