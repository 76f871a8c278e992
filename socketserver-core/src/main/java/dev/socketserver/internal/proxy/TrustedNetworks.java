package dev.socketserver.internal.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The networks whose peers may send a PROXY header, from a list such as
 * {@code 127.0.0.0/8,10.0.0.0/8,::1/128}.
 *
 * <p>Each entry is an IPv4 or IPv6 address, optionally with {@code /prefix}; a bare address means
 * {@code /32} or {@code /128}. Spaces around entries are allowed. Addresses are literals only, never
 * host names, and follow the same strict rules as v1 headers: IPv4 in dotted decimal without leading
 * zeros, IPv6 in the usual text forms without brackets or zone ids. An entry whose address has bits
 * set past its prefix ({@code 10.1.2.3/8}) is refused rather than silently widened, since it is
 * usually a typo.
 *
 * <p>Matching: an IPv4 peer matches IPv4 entries. An IPv4-mapped IPv6 peer ({@code ::ffff:a.b.c.d},
 * as a dual-stack socket may report) matches IPv4 entries by its embedded address, and IPv6 entries
 * as itself. Any other IPv6 peer matches IPv6 entries. An IPv4 peer never matches an IPv6 entry such
 * as {@code ::/0}.
 *
 * <p>An empty list is refused at parse time: a server configured for the PROXY protocol with nobody
 * trusted would refuse every connection. Immutable and thread-safe.
 */
public final class TrustedNetworks {
    private final List<Network> networks;

    private TrustedNetworks(List<Network> networks) {
        this.networks = List.copyOf(networks);
    }

    /**
     * Parses a comma-separated list of networks.
     *
     * @throws IllegalArgumentException if the list is empty or an entry is not a valid address or CIDR
     *                                  block; the message names the entry and what to fix
     */
    public static TrustedNetworks parse(String list) {
        Objects.requireNonNull(list, "list");
        if (list.isBlank()) {
            throw new IllegalArgumentException("the trusted-network list is empty; name the proxies' networks, "
                    + "for example 127.0.0.1/32 or 10.0.0.0/8,::1");
        }
        List<Network> networks = new ArrayList<>();
        String[] entries = list.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("trusted-network entry " + (i + 1) + " of \"" + Escaping.text(list, 200)
                        + "\" is empty; remove the extra comma");
            }
            networks.add(Network.parse(entry));
        }
        return new TrustedNetworks(networks);
    }

    /** Whether {@code address} is inside one of the networks (see the class comment for IPv4-mapped peers). */
    public boolean contains(InetAddress address) {
        byte[] raw = address.getAddress();
        byte[] v4 = raw.length == 4 ? raw : embeddedIpv4(raw);
        for (Network network : networks) {
            if (network.matches(raw) || (v4 != null && network.matches(v4))) {
                return true;
            }
        }
        return false;
    }

    /** The networks in canonical form, such as {@code [127.0.0.0/8, ::1/128]}. */
    public List<String> networks() {
        return networks.stream().map(Network::toString).toList();
    }

    /** The networks in canonical form, comma-separated, as {@link #parse} reads them. */
    @Override
    public String toString() {
        return String.join(",", networks());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedNetworks other && other.networks().equals(networks());
    }

    @Override
    public int hashCode() {
        return networks().hashCode();
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}), or {@code null}. */
    private static byte[] embeddedIpv4(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return null;
            }
        }
        if (raw[10] != (byte) 0xFF || raw[11] != (byte) 0xFF) {
            return null;
        }
        return new byte[] {raw[12], raw[13], raw[14], raw[15]};
    }

    /** One CIDR block: a network address with no bits past the prefix, and the prefix length. */
    private record Network(byte[] address, int prefix) {
        static Network parse(String entry) {
            int slash = entry.indexOf('/');
            String text = slash < 0 ? entry : entry.substring(0, slash);
            boolean v6 = text.indexOf(':') >= 0;
            byte[] address = v6 ? AddressLiterals.ipv6(text) : AddressLiterals.ipv4(text);
            if (address == null) {
                throw new IllegalArgumentException("trusted network \"" + Escaping.text(entry, 80) + "\": \""
                        + Escaping.text(text, 60) + "\" is not " + (v6
                        ? "an IPv6 address (no brackets, no %zone)"
                        : "an IPv4 address in dotted decimal without leading zeros, nor an IPv6 address; host names are not allowed"));
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String digits = entry.substring(slash + 1);
                prefix = AddressLiterals.port(digits);
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("trusted network \"" + Escaping.text(entry, 80) + "\": the prefix after '/' must be "
                            + "a number from 0 to " + bits + " without leading zeros, got \"" + Escaping.text(digits, 20) + "\"");
                }
            }
            Network network = new Network(address, prefix);
            byte[] masked = network.masked(address);
            if (!Arrays.equals(masked, address)) {
                throw new IllegalArgumentException("trusted network \"" + Escaping.text(entry, 80) + "\" has address bits set past its /"
                        + prefix + "; did you mean " + new Network(masked, prefix) + "?");
            }
            return network;
        }

        /** Whether {@code raw} (4 or 16 bytes) is in this block; a different length never is. */
        boolean matches(byte[] raw) {
            if (raw.length != address.length) {
                return false;
            }
            int whole = prefix >> 3;
            for (int i = 0; i < whole; i++) {
                if (raw[i] != address[i]) {
                    return false;
                }
            }
            int mask = (0xFF00 >> (prefix & 7)) & 0xFF;
            return mask == 0 || (raw[whole] & mask) == (address[whole] & mask);
        }

        private byte[] masked(byte[] raw) {
            byte[] out = raw.clone();
            for (int bit = prefix; bit < out.length * 8; bit++) {
                out[bit >> 3] &= (byte) ~(0x80 >> (bit & 7));
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Network other && other.prefix == prefix && Arrays.equals(other.address, address);
        }

        @Override
        public int hashCode() {
            return 31 * prefix + Arrays.hashCode(address);
        }

        @Override
        public String toString() {
            return AddressLiterals.format(address) + "/" + prefix;
        }
    }
}
