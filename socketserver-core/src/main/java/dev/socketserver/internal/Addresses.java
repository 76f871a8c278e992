package dev.socketserver.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.util.Arrays;

/** Formats socket addresses the way people write them: {@code 127.0.0.1:9000}, {@code [::1]:9000}, {@code /run/x.sock}. */
public final class Addresses {
    private Addresses() {
    }

    /** {@code host:port}, with IPv6 hosts in brackets; a Unix path as it is ({@code ""} for an unbound peer). */
    public static String format(SocketAddress address) {
        if (address == null) {
            return "(no address)";
        }
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
            if (inet.getAddress() instanceof Inet6Address || host.contains(":")) {
                int scope = host.indexOf('%');
                host = "[" + compress(scope >= 0 ? host.substring(0, scope) : host) + "]";
            }
            return host + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }

    /** RFC 5952's short form of the JDK's full IPv6 text: the longest run of two or more zero groups becomes {@code ::}. */
    private static String compress(String full) {
        String[] groups = full.split(":", -1);
        if (groups.length != 8) {
            return full;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; ) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(j, i + 1);
        }
        if (bestStart < 0) {
            return full;
        }
        return String.join(":", Arrays.copyOfRange(groups, 0, bestStart)) + "::"
                + String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    }

    /** The same, with the scheme the command line uses: {@code tcp://…}, {@code udp://…}, {@code unix:…}. */
    public static String uri(String scheme, SocketAddress address) {
        return address instanceof UnixDomainSocketAddress || address instanceof dev.socketserver.UnixAddress
                ? scheme + ":" + format(address) : scheme + "://" + format(address);
    }

    /** A bind of a socket, which may fail. */
    public interface Bind {
        void run() throws IOException;
    }

    /**
     * Runs {@code bind}; if it fails, throws the same kind of exception with the address as the
     * command line writes it in front of the system's message ({@code tcp://127.0.0.1:9000: Address
     * already in use}), so a user knows which of several sockets failed. Every server binds through here.
     */
    public static void bind(String scheme, SocketAddress address, Bind bind) throws IOException {
        try {
            bind.run();
        } catch (BindException e) {
            throw (BindException) new BindException(uri(scheme, address) + ": " + e.getMessage()).initCause(e);
        } catch (SocketException e) {
            throw (SocketException) new SocketException(uri(scheme, address) + ": " + e.getMessage()).initCause(e);
        }
    }
}
