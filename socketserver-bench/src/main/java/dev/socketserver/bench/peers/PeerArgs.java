package dev.socketserver.bench.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of a peer server: {@code --listen ADDRESS} ({@code tcp://HOST:PORT},
 * {@code udp://HOST:PORT} or {@code unix:PATH}; port 0 picks a free port) and {@code --NAME VALUE}
 * options particular to each peer.
 *
 * <p>Every peer prints {@code listening on ADDRESS} (with the real port) as its first line on
 * standard output once it accepts, and runs until it is killed: that is all {@code bench/run}
 * needs to drive it.
 */
record PeerArgs(String scheme, String host, int port, Path path, Map<String, String> options) {

    static PeerArgs parse(String[] args, List<String> known) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length || !(name.equals("--listen") || known.contains(name.substring(2)))) {
                throw usage("unexpected argument '" + name + "'", known);
            }
            options.put(name.substring(2), args[i + 1]);
        }
        String listen = options.remove("listen");
        if (listen == null) {
            throw usage("missing --listen ADDRESS", known);
        }
        if (listen.startsWith("unix:")) {
            return new PeerArgs("unix", null, 0, Path.of(listen.substring("unix:".length())), options);
        }
        int sep = listen.indexOf("://");
        int colon = listen.lastIndexOf(':');
        if (sep < 0 || colon <= sep + 2) {
            throw usage("expected tcp://HOST:PORT, udp://HOST:PORT or unix:PATH, got '" + listen + "'", known);
        }
        String host = listen.substring(sep + 3, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new PeerArgs(listen.substring(0, sep), host, Integer.parseInt(listen.substring(colon + 1)), null, options);
    }

    private static IllegalArgumentException usage(String problem, List<String> known) {
        return new IllegalArgumentException(problem + "; usage: --listen ADDRESS"
                + (known.isEmpty() ? "" : " [" + String.join(" ", known.stream().map(k -> "--" + k + " VALUE").toList()) + "]"));
    }

    InetSocketAddress socketAddress() throws UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    int intOption(String name, int fallback) {
        String value = options.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** Prints the ready line the way the socketserver command does. */
    static void listening(String scheme, InetSocketAddress bound) {
        String host = bound.getAddress().getHostAddress();
        System.out.println("listening on " + scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
        System.out.flush();
    }

    /** Reports a bad start on standard error and exits 2. */
    static void fail(Exception e) {
        System.err.println(e.getMessage() == null ? e.toString() : e.getMessage());
        System.exit(2);
    }
}
