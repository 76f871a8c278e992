package dev.socketserver.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** The flags of every server command (their values converted by {@link Main}'s converters), turned into one {@link dev.socketserver.ServerOptions} by {@link Servers}. */
final class ServeFlags {

    @Option(names = "--listen", paramLabel = "ADDRESS", defaultValue = "tcp://127.0.0.1:9000",
            description = "Where to listen: tcp://HOST:PORT, udp://HOST:PORT, unix:PATH or unixgram:PATH "
                    + "(a path, or @NAME in Linux's abstract namespace); systemd: or systemd:NAME for the socket "
                    + "systemd passed (socket activation; with Accept=yes, the one connection it passed); "
                    + "stdin: for one connection on standard input (inetd). "
                    + "An IPv6 host goes in brackets, as in tcp://[::1]:9000; port 0 picks a free port. "
                    + "Default: ${DEFAULT-VALUE}.")
    ListenAddress listen;

    @Option(names = "--concurrency", paramLabel = "MODE", defaultValue = "virtual",
            description = "Where requests run: sync (one at a time), threads (a thread each), "
                    + "virtual (a virtual thread each), bounded:N (at most N at once), "
                    + "workers:N (N worker processes sharing the socket, virtual threads in each), "
                    + "or async / async:N (an event loop per processor, or N loops). "
                    + "Default: ${DEFAULT-VALUE}.")
    Mode concurrency;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s",
            description = "On SIGTERM or SIGINT, how long running requests may take to finish, "
                    + "such as 500ms, 30s, 1m or 0; a second signal stops waiting. Each connection is closed "
                    + "at a quiet point, between two requests, and only what is still busy at the end is cut; "
                    + "one line on stderr counts both. Default: ${DEFAULT-VALUE}.")
    Duration drain;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0s",
            description = "On SIGTERM or SIGINT, go on serving and accepting for this long before the drain, such as 5s, "
                    + "while --ready-listen reports not ready: the time a load balancer or Kubernetes takes to stop "
                    + "sending new clients. A second signal stops at once. Default: none.")
    Duration drainDelay;

    @Option(names = "--ready-listen", paramLabel = "ADDRESS",
            description = "A readiness socket, tcp://HOST:PORT, for a tcpSocket readiness probe: it accepts while the server "
                    + "serves and closes at the first SIGTERM or SIGINT, before --drain-delay. Default: none.")
    ListenAddress readyListen;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "0",
            description = "Serve at most N connections at once; further clients wait in the backlog. 0: no limit. "
                    + "N idle clients then lock everyone else out: pair it with --idle-timeout or --request-deadline "
                    + "(the same holds for sync and bounded:N).")
    int maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "Close a connection that sends and receives nothing for this long, such as 30s "
                    + "(a timeout, restarted by every byte: a client that trickles a byte at a time keeps it open). Default: none.")
    Duration idleTimeout;

    @Option(names = "--request-deadline", paramLabel = "DURATION",
            description = "Close a connection this long after it was accepted, whatever it is doing, such as 5m "
                    + "(a deadline for the whole connection: it also ends clients that trickle). Default: none.")
    Duration requestDeadline;

    @Option(names = "--socket-mode", paramLabel = "OCTAL",
            description = "The permission bits of the unix: or unixgram: socket file, such as 660 or 600, "
                    + "in place before any client can connect. Default: the umask decides.")
    String socketMode;

    @Option(names = "--stats", paramLabel = "DURATION",
            description = "Print the server's counters to stderr this often, such as 10s (each worker its own, with workers:N). Default: never.")
    Duration statsInterval;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve TLS with this PEM certificate chain (with --tls-key).")
    Path tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--proxy-protocol",
            description = "Expect a PROXY protocol header (v1 or v2) on every connection, from --trusted peers only.")
    boolean proxyProtocol;

    @Option(names = "--trusted", paramLabel = "CIDRS", defaultValue = "127.0.0.0/8,::1/128",
            description = "With --proxy-protocol, the load balancers' networks, such as 10.0.0.0/8,192.168.1.0/24. "
                    + "Default: ${DEFAULT-VALUE}.")
    String trusted;
}
