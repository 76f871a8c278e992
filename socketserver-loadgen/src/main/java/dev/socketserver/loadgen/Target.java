package dev.socketserver.loadgen;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The echo server a load generator drives, written as on the command line: {@code tcp://HOST:PORT},
 * {@code udp://HOST:PORT} or {@code unix:PATH}. An IPv6 host goes in brackets ({@code tcp://[::1]:9000}).
 *
 * <p>Parsing checks the form only; {@link #resolve()} looks the host up.
 *
 * @param transport how to reach the server
 * @param host the host name or IP literal without brackets; null for a Unix socket
 * @param port the port, 1 to 65535; 0 for a Unix socket
 * @param path the socket file of a Unix stream target; null otherwise
 */
public record Target(Transport transport, String host, int port, Path path) {

    /** The forms {@link #parse} accepts, for error messages. */
    public static final String EXPECTED = "expected tcp://HOST:PORT, udp://HOST:PORT or unix:PATH";

    /** The transports the load generator speaks. */
    public enum Transport { TCP, UDP, UNIX }

    public Target {
        Objects.requireNonNull(transport, "transport");
        if (transport == Transport.UNIX) {
            Objects.requireNonNull(path, "path");
        } else {
            Objects.requireNonNull(host, "host");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
            }
        }
    }

    /**
     * Parses a target.
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    public static Target parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.startsWith("tcp://")) {
            return hostPort(Transport.TCP, "tcp", text.substring("tcp://".length()));
        }
        if (text.startsWith("udp://")) {
            return hostPort(Transport.UDP, "udp", text.substring("udp://".length()));
        }
        if (text.startsWith("unix:")) {
            String path = text.substring("unix:".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("empty unix socket path, expected unix:PATH as in unix:/tmp/echo.sock");
            }
            try {
                return new Target(Transport.UNIX, null, 0, Path.of(path));
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("invalid unix socket path: " + e.getReason());
            }
        }
        int schemeEnd = text.indexOf("://");
        if (schemeEnd > 0) {
            throw new IllegalArgumentException("unknown scheme '" + text.substring(0, schemeEnd) + "': " + EXPECTED);
        }
        throw new IllegalArgumentException(EXPECTED);
    }

    private static Target hostPort(Transport transport, String scheme, String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' after the IPv6 address, as in " + scheme + "://[::1]:9000");
            }
            host = text.substring(1, close);
            try {
                Inet6Address.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
            String rest = text.substring(close + 1);
            if (!rest.startsWith(":")) {
                throw missingPort(scheme);
            }
            port = rest.substring(1);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw missingPort(scheme);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException("an IPv6 address goes in brackets, as in " + scheme + "://[::1]:9000");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("missing host, as in " + scheme + "://127.0.0.1:9000");
        }
        if (port.isEmpty()) {
            throw missingPort(scheme);
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5) {
            throw new IllegalArgumentException("port '" + port + "' is not a number from 1 to 65535");
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65_535) {
            throw new IllegalArgumentException("port " + number + " is out of range 1-65535");
        }
        return new Target(transport, host, number, null);
    }

    private static IllegalArgumentException missingPort(String scheme) {
        return new IllegalArgumentException("missing port, as in " + scheme + "://127.0.0.1:9000");
    }

    /**
     * The socket address to connect to; a host name is looked up now.
     *
     * @throws UnknownHostException if the host name does not resolve
     */
    public SocketAddress resolve() throws UnknownHostException {
        if (transport == Transport.UNIX) {
            return UnixDomainSocketAddress.of(path);
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /**
     * Whether the target is on this machine's loopback interface: a Unix socket always is; a host
     * is when every address it resolves to is a loopback address ({@code 127.0.0.0/8}, {@code ::1}).
     *
     * @throws UnknownHostException if the host name does not resolve
     */
    public boolean isLoopback() throws UnknownHostException {
        if (transport == Transport.UNIX) {
            return true;
        }
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress address : addresses) {
            if (!address.isLoopbackAddress()) {
                return false;
            }
        }
        return addresses.length > 0;
    }

    /** The target as the command line writes it. */
    @Override
    public String toString() {
        return switch (transport) {
            case UNIX -> "unix:" + path;
            case TCP -> "tcp://" + bracketed() + ":" + port;
            case UDP -> "udp://" + bracketed() + ":" + port;
        };
    }

    private String bracketed() {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
