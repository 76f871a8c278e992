package dev.socketserver.cli;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * Socket addresses as people write them: {@code 127.0.0.1:9000}, {@code [::1]:9000} (IPv6 in the
 * short form of RFC 5952, without a scope), or a Unix socket's path.
 */
final class AddressText {
    private AddressText() {
    }

    /** The address with the scheme {@code --listen} uses: {@code tcp://[::1]:9000}, {@code unix:/tmp/x.sock}. */
    static String uri(String scheme, SocketAddress address) {
        return address instanceof UnixDomainSocketAddress ? scheme + ":" + of(address) : scheme + "://" + of(address);
    }

    /** {@code host:port} with an IPv6 host in brackets; a Unix address as its path ({@code ""} for an unnamed socket). */
    static String of(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet when inet.getAddress() instanceof Inet6Address v6 -> "[" + ipv6(v6) + "]:" + inet.getPort();
            case InetSocketAddress inet when inet.getAddress() != null -> inet.getAddress().getHostAddress() + ":" + inet.getPort();
            case InetSocketAddress unresolved -> unresolved.getHostString() + ":" + unresolved.getPort();
            case UnixDomainSocketAddress unix -> unix.getPath().toString();
            default -> String.valueOf(address);
        };
    }

    /** RFC 5952: lower-case hex groups without leading zeros; the longest run of two or more zero groups becomes {@code ::}. */
    static String ipv6(Inet6Address address) {
        byte[] bytes = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (bytes[2 * i] & 0xff) << 8 | (bytes[2 * i + 1] & 0xff);
        }
        int runStart = -1;
        int runLength = 1;   // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int end = i;
            while (end < 8 && groups[end] == 0) {
                end++;
            }
            if (end - i > runLength) {
                runStart = i;
                runLength = end - i;
            }
            i = Math.max(end, i + 1);
        }
        var text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == runStart) {
                text.append("::");
                i += runLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
