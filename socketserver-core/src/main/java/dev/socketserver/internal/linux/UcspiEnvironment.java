package dev.socketserver.internal.linux;

import dev.socketserver.internal.Addresses;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment a per-connection program gets, as in D. J. Bernstein's UCSPI: {@code tcpserver}'s
 * variables for TCP, Bruce Guenter's {@code unixserver}'s for Unix sockets.
 *
 * <table class="striped">
 * <caption>Variables set</caption>
 * <tr><th>TCP</th><td>{@code PROTO=TCP}, {@code TCPLOCALIP}, {@code TCPLOCALPORT}, {@code TCPREMOTEIP},
 *     {@code TCPREMOTEPORT}. IPv6 addresses in short form without brackets ({@code ::1}); an IPv4
 *     client of a dual-stack listener as IPv4.</td></tr>
 * <tr><th>Unix</th><td>{@code PROTO=UNIX}, {@code UNIXLOCALPATH}, {@code UNIXLOCALPID},
 *     {@code UNIXLOCALUID}, {@code UNIXLOCALGID}, and from the peer's credentials
 *     {@code UNIXREMOTEPID}, {@code UNIXREMOTEEUID}, {@code UNIXREMOTEEGID}.</td></tr>
 * </table>
 *
 * <p>Variables of either family inherited from the base environment (say, from a server that itself
 * runs under {@code tcpserver}) are removed first, so a child never sees stale values such as a
 * {@code TCPREMOTEHOST} this server did not look up.
 */
public final class UcspiEnvironment {
    private UcspiEnvironment() {
    }

    /**
     * {@code base} plus the variables for a connection between {@code local} and {@code remote}.
     *
     * @param peer the Unix peer's credentials ({@link SocketDescriptors#peerCredentials(int)}), or null
     * @throws IllegalArgumentException for an address that is neither TCP nor Unix
     */
    public static Map<String, String> forConnection(Map<String, String> base, SocketAddress local, SocketAddress remote,
                                                    SocketDescriptors.PeerCredentials peer) {
        Map<String, String> env = new LinkedHashMap<>();
        base.forEach((key, value) -> {
            if (!isUcspiName(key)) {
                env.put(key, value);
            }
        });
        if (local instanceof InetSocketAddress tcpLocal && remote instanceof InetSocketAddress tcpRemote) {
            env.put("PROTO", "TCP");
            env.put("TCPLOCALIP", ip(tcpLocal));
            env.put("TCPLOCALPORT", Integer.toString(tcpLocal.getPort()));
            env.put("TCPREMOTEIP", ip(tcpRemote));
            env.put("TCPREMOTEPORT", Integer.toString(tcpRemote.getPort()));
        } else if (local instanceof UnixDomainSocketAddress unixLocal) {
            env.put("PROTO", "UNIX");
            env.put("UNIXLOCALPATH", unixLocal.getPath().toString());
            env.put("UNIXLOCALPID", Long.toString(ProcessHandle.current().pid()));
            env.put("UNIXLOCALUID", Integer.toUnsignedString(LibCProcesses.getuid()));
            env.put("UNIXLOCALGID", Integer.toUnsignedString(LibCProcesses.getgid()));
            if (peer != null) {
                env.put("UNIXREMOTEPID", Integer.toString(peer.pid()));
                env.put("UNIXREMOTEEUID", Integer.toUnsignedString(peer.uid()));
                env.put("UNIXREMOTEEGID", Integer.toUnsignedString(peer.gid()));
            }
        } else {
            throw new IllegalArgumentException("no UCSPI variables for a connection from " + remote + " to " + local);
        }
        return env;
    }

    /** The same for a connection just accepted; reads the peer's credentials for a Unix socket. */
    public static Map<String, String> forConnection(Map<String, String> base, SocketDescriptors.Accepted connection) {
        SocketDescriptors.PeerCredentials peer = connection.local() instanceof UnixDomainSocketAddress
                ? SocketDescriptors.peerCredentials(connection.fd()) : null;
        return forConnection(base, connection.local(), connection.remote(), peer);
    }

    private static boolean isUcspiName(String name) {
        return name.equals("PROTO") || name.startsWith("TCPLOCAL") || name.startsWith("TCPREMOTE")
                || name.startsWith("TCP6LOCAL") || name.startsWith("TCP6REMOTE")
                || name.startsWith("UNIXLOCAL") || name.startsWith("UNIXREMOTE");
    }

    /** {@code 127.0.0.1}, {@code ::1}: the address as {@link Addresses#format} writes it, without port or brackets. */
    private static String ip(InetSocketAddress address) {
        String hostAndPort = Addresses.format(new InetSocketAddress(address.getAddress(), 0));
        String host = hostAndPort.substring(0, hostAndPort.lastIndexOf(':'));
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
