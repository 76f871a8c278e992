package dev.socketserver.internal;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Formats socket addresses the way people write them: {@code 127.0.0.1:9000}, {@code [::1]:9000}, {@code /run/x.sock}. */
public final class Addresses {
    private Addresses() {
    }

    /** {@code host:port}, with IPv6 hosts in brackets; a Unix path as it is ({@code ""} for an unbound peer). */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            if (inet.getAddress() instanceof Inet6Address || host.contains(":")) {
                int scope = host.indexOf('%');
                host = "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]";
            }
            return host + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }

    /** The same, with the scheme the command line uses: {@code tcp://…}, {@code udp://…}, {@code unix:…}. */
    public static String uri(String scheme, SocketAddress address) {
        return address instanceof UnixDomainSocketAddress ? scheme + ":" + format(address) : scheme + "://" + format(address);
    }
}
