package dev.socketserver.cli;

import dev.socketserver.SystemdSocket;
import dev.socketserver.UnixAddress;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a server listens, as the command line writes it: {@code tcp://HOST:PORT},
 * {@code udp://HOST:PORT}, {@code unix:PATH} or {@code unixgram:PATH} (a path, or {@code @name}
 * in Linux's abstract namespace, for either), or {@code systemd:} / {@code systemd:NAME} for a socket that
 * systemd passed (socket activation), which {@link #resolved()} turns into its address; or
 * {@code stdin:}, one connection on standard input, as inetd passes it. An IPv6 host goes in brackets
 * ({@code tcp://[::1]:9000}); port 0 asks the system for a free port.
 *
 * <p>Parsing checks the form only: a host name is resolved when the server binds.
 */
sealed interface ListenAddress {

    /** The forms {@link #parse} accepts, for error messages. */
    String EXPECTED = "expected tcp://HOST:PORT, udp://HOST:PORT, unix:PATH, unixgram:PATH, systemd:[NAME] or stdin:";

    /**
     * The address to bind: this one, or for {@code systemd:} the address of the socket systemd
     * passed, where the server then serves that socket instead of binding.
     *
     * @throws IOException if systemd passed no such socket, or one no server here can serve
     */
    default ListenAddress resolved() throws IOException {
        return this;
    }

    /**
     * One connection that something else accepted: {@code stdin:} (inetd, or systemd's
     * {@code StandardInput=socket}) or, from {@code systemd:}, the connected socket of a socket
     * unit with {@code Accept=yes}. The command serves it and exits.
     */
    record OneConnection(String form) implements ListenAddress {
        @Override
        public String toString() {
            return form;
        }
    }

    /** A socket passed by systemd: the only one ({@code name} null), or the one of that {@code FileDescriptorName}. */
    record Systemd(String name) implements ListenAddress {
        @Override
        public ListenAddress resolved() throws IOException {
            if (SystemdSocket.passedConnection()) {
                return new OneConnection(toString());
            }
            SystemdSocket socket = name == null ? SystemdSocket.only() : SystemdSocket.named(name);
            return switch (socket.address()) {
                case InetSocketAddress inet when socket.kind() == SystemdSocket.Kind.TCP ->
                        new Tcp(inet.getAddress().getHostAddress(), inet.getPort());
                case InetSocketAddress inet -> new Udp(inet.getAddress().getHostAddress(), inet.getPort());
                case UnixDomainSocketAddress unix -> new Unix(unix.getPath());
                case UnixAddress unix when socket.kind() == SystemdSocket.Kind.UNIX_STREAM -> new Unix(unix);
                case UnixAddress unix -> new Unixgram(unix);
                default -> throw new IOException("systemd passed " + socket + ", which no server here serves");
            };
        }

        @Override
        public String toString() {
            return "systemd:" + (name == null ? "" : name);
        }
    }

    /** A TCP address; {@code host} is a name or an IP literal, without brackets. */
    record Tcp(String host, int port) implements ListenAddress {
        @Override
        public String toString() {
            return "tcp://" + hostPort(host, port);
        }
    }

    /** A UDP address; {@code host} is a name or an IP literal, without brackets. */
    record Udp(String host, int port) implements ListenAddress {
        @Override
        public String toString() {
            return "udp://" + hostPort(host, port);
        }
    }

    /** A Unix-domain stream socket: a file, or an abstract name. */
    record Unix(UnixAddress address) implements ListenAddress {
        Unix(Path path) {
            this(UnixAddress.of(path));
        }

        @Override
        public String toString() {
            return "unix:" + address;
        }
    }

    /** A Unix-domain datagram socket: a file, or an abstract name. */
    record Unixgram(UnixAddress address) implements ListenAddress {
        @Override
        public String toString() {
            return "unixgram:" + address;
        }
    }

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong, such as
     *     {@code missing port, as in tcp://127.0.0.1:9000}
     */
    static ListenAddress parse(String text) {
        if (text.startsWith("tcp://")) {
            HostPort hp = HostPort.parse("tcp", text.substring("tcp://".length()));
            return new Tcp(hp.host(), hp.port());
        }
        if (text.startsWith("udp://")) {
            HostPort hp = HostPort.parse("udp", text.substring("udp://".length()));
            return new Udp(hp.host(), hp.port());
        }
        if (text.startsWith("unixgram:")) {
            String rest = text.substring("unixgram:".length());
            return new Unixgram(rest.startsWith("@") ? abstractName("unixgram", rest) : UnixAddress.of(unixPath(rest)));
        }
        if (text.equals("stdin:")) {
            return new OneConnection(text);
        }
        if (text.startsWith("systemd:")) {
            String name = text.substring("systemd:".length());
            return new Systemd(name.isEmpty() ? null : name);
        }
        if (text.startsWith("unix:")) {
            String rest = text.substring("unix:".length());
            return new Unix(rest.startsWith("@") ? abstractName("unix", rest) : UnixAddress.of(unixPath(rest)));
        }
        int schemeEnd = text.indexOf("://");
        if (schemeEnd > 0) {
            throw new IllegalArgumentException("unknown scheme '" + text.substring(0, schemeEnd) + "': " + EXPECTED);
        }
        throw new IllegalArgumentException(EXPECTED);
    }

    private static UnixAddress abstractName(String scheme, String text) {
        if (text.length() == 1) {
            throw new IllegalArgumentException("empty abstract name, expected " + scheme + ":@NAME as in " + scheme + ":@echo");
        }
        return UnixAddress.ofAbstract(text.substring(1));
    }

    private static Path unixPath(String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty unix socket path, expected unix:PATH as in unix:/tmp/echo.sock");
        }
        try {
            Path parsed = Path.of(path);
            UnixAddress.of(parsed);   // checks the kernel's length limit now, not at bind
            return parsed;
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("invalid unix socket path: " + e.getReason());
        }
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The {@code HOST:PORT} part of a TCP or UDP address. */
    record HostPort(String host, int port) {
        static HostPort parse(String scheme, String text) {
            String host;
            String port;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    throw new IllegalArgumentException("missing ']' after the IPv6 address, as in " + scheme + "://[::1]:9000");
                }
                host = text.substring(1, close);
                requireIpv6Literal(host);
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
                throw new IllegalArgumentException("missing host (0.0.0.0 or [::] listens on every interface)");
            }
            return new HostPort(host, portNumber(scheme, port));
        }

        private static void requireIpv6Literal(String host) {
            try {
                Inet6Address.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
        }

        private static int portNumber(String scheme, String text) {
            if (text.isEmpty()) {
                throw missingPort(scheme);
            }
            if (!text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("port '" + text + "' is not a number");
            }
            if (text.length() > 5 || Integer.parseInt(text) > 65_535) {
                throw new IllegalArgumentException("port " + text + " is out of range 0-65535");
            }
            return Integer.parseInt(text);
        }

        private static IllegalArgumentException missingPort(String scheme) {
            return new IllegalArgumentException("missing port, as in " + scheme + "://127.0.0.1:9000 (port 0 picks a free port)");
        }
    }
}
