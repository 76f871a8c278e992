package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import picocli.CommandLine.Option;

import java.time.Duration;

/** The options of every server command; their values are converted by {@link Main}'s converters. */
final class ServerOptions {

    @Option(names = "--listen", paramLabel = "ADDRESS", defaultValue = "tcp://127.0.0.1:9000",
            description = "Where to listen: tcp://HOST:PORT, udp://HOST:PORT or unix:PATH. "
                    + "An IPv6 host goes in brackets, as in tcp://[::1]:9000; port 0 picks a free port. "
                    + "Default: ${DEFAULT-VALUE}.")
    ListenAddress listen;

    @Option(names = "--concurrency", paramLabel = "MODE", defaultValue = "virtual",
            description = "Where requests run: sync (one at a time), threads (a thread each), "
                    + "virtual (a virtual thread each) or bounded:N (at most N at once). "
                    + "Default: ${DEFAULT-VALUE}.")
    Concurrency concurrency;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s",
            description = "On SIGTERM or SIGINT, how long running requests may take to finish, "
                    + "such as 500ms, 30s, 1m or 0; a second signal stops waiting. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration drain;
}
