/**
 * HAProxy's PROXY protocol, versions 1 (text) and 2 (binary): a parser for the header a load
 * balancer puts in front of a connection, and the list of networks trusted to send one.
 *
 * <p>{@link dev.socketserver.internal.proxy.ProxyHeaderParser} reads one header, from a blocking
 * {@link java.io.InputStream} or from bytes an event loop has gathered, and never reads or consumes
 * a byte past its end, so what follows is the application's. It never holds more than the spec's
 * maximum (107 bytes for v1, 16 + 65,535 for v2), and what it holds grows only with what the peer
 * actually sent. Every problem with the bytes is a
 * {@link dev.socketserver.internal.proxy.ProxyProtocolException} with a
 * {@link dev.socketserver.internal.proxy.ProxyProtocolException.Reason} to count by.
 * {@link dev.socketserver.internal.proxy.TrustedNetworks} says which peers may send a header at all:
 * the spec forbids guessing whether one is present (section 5), so a server that is configured for
 * the protocol requires the header from trusted peers and refuses everyone else.
 *
 * <p>Everything here is immutable and thread-safe, except that one call of a reading method owns the
 * stream or buffer it was given until it returns.
 *
 * <p>The specification is HAProxy's {@code doc/proxy-protocol.txt} ("The PROXY protocol, Versions 1 &amp; 2",
 * revision 2020/03/05); section numbers in this package refer to it.
 */
package dev.socketserver.internal.proxy;
