package dev.socketserver.internal;

import dev.socketserver.ServerOptions;

/** What a server kind refuses of {@link ServerOptions}, with one message for both families. */
public final class OptionChecks {
    private OptionChecks() {
    }

    /**
     * Refuses what a connectionless server cannot honour: TLS, the PROXY protocol, the timeouts
     * and deadlines of connections.
     *
     * @throws IllegalArgumentException naming the settings and the server
     */
    public static void requireNoConnectionSettings(ServerOptions options, String server) {
        StringBuilder refused = new StringBuilder();
        if (options.tls() != null) {
            refused.append(", tls");
        }
        if (options.proxyProtocol() != null) {
            refused.append(", proxyProtocol");
        }
        if (options.idleTimeout() != null) {
            refused.append(", idleTimeout");
        }
        if (options.requestDeadline() != null) {
            refused.append(", requestDeadline");
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException(refused.substring(2) + " apply to connections, and " + server
                    + " has none: use a stream server (TCP or a Unix stream)");
        }
    }

    /**
     * Refuses socket-file bits on a server that has no socket file.
     *
     * @throws IllegalArgumentException naming the server
     */
    public static void requireNoSocketFile(ServerOptions options, String server) {
        if (options.socketPermissions() != null) {
            throw new IllegalArgumentException("socketPermissions apply to a Unix socket file, and " + server + " has none");
        }
    }
}
