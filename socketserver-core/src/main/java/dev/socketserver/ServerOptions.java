package dev.socketserver;

import dev.socketserver.internal.Durations;

import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything about how a server serves, as one immutable value that every server kind accepts,
 * blocking or event loop: {@code new TcpServer(address, handler, concurrency, options)},
 * {@code AsyncServer.tcp(address, Protocol::new, options)}, and the Unix and datagram kinds alike.
 * A setting a server kind cannot honour (TLS on UDP, socket-file bits on TCP) is refused when the
 * server is built, with a message that says why.
 *
 * <pre>{@code
 * ServerOptions production = ServerOptions.builder()
 *         .tls(TlsOptions.fromPem(cert, key))
 *         .proxyProtocol(ProxyProtocol.from("10.0.0.0/8"))
 *         .idleTimeout(Duration.ofMinutes(5))
 *         .maxConnections(10_000)
 *         .build();
 * }</pre>
 *
 * <table class="striped">
 * <caption>Settings and their defaults, the same in every family</caption>
 * <tr><th>setting</th><th>default</th><th>applies to</th></tr>
 * <tr><td>{@code backlog}: connections the kernel queues before accept</td><td>{@value #DEFAULT_BACKLOG}</td><td>stream servers</td></tr>
 * <tr><td>{@code reuseAddress} ({@code SO_REUSEADDR}): rebind while old connections linger</td><td>true</td><td>TCP; UDP keeps it off, where it would let another socket take the port</td></tr>
 * <tr><td>{@code reusePort} ({@code SO_REUSEPORT}): share the port with other sockets</td><td>false</td><td>TCP and UDP</td></tr>
 * <tr><td>{@code maxConnections}: served at once, the rest wait in the backlog</td><td>0, no limit</td><td>every server but event-loop datagrams</td></tr>
 * <tr><td>{@code idleTimeout}: close a connection silent for this long (a timeout, restarted by every byte)</td><td>none</td><td>stream servers</td></tr>
 * <tr><td>{@code requestDeadline}: close a connection this long after its accept (a deadline)</td><td>none</td><td>stream servers</td></tr>
 * <tr><td>{@code tls}: {@link TlsOptions}, handshake deadline {@code 10 s}</td><td>none: plain</td><td>stream servers</td></tr>
 * <tr><td>{@code proxyProtocol}: {@link ProxyProtocol}, header deadline {@code 5 s}</td><td>none</td><td>stream servers</td></tr>
 * <tr><td>{@code writeBufferWaterMarks}: above the high mark the event loop stops reading the connection and tells its protocol to pause writing; at the low mark both resume</td><td>16 KiB / 64 KiB</td><td>every server; blocking writes wait for the peer, so they buffer nothing</td></tr>
 * <tr><td>{@code writeBufferLimit}: close a connection whose protocol keeps writing while paused, once its output passes this</td><td>{@value #DEFAULT_WRITE_BUFFER_LIMIT} bytes (4 MiB); 0, none</td><td>as above</td></tr>
 * <tr><td>{@code socketPermissions}: the socket file's bits, in place before any client connects</td><td>the umask's</td><td>Unix sockets with a file</td></tr>
 * </table>
 *
 * <p>Only what may change while serving has a setter on the server as well: the connection limit
 * and the idle timeout.
 */
public final class ServerOptions {
    /** The listen backlog unless told otherwise. */
    public static final int DEFAULT_BACKLOG = 4096;
    /** The write-buffer size below which a paused writer resumes, unless told otherwise. */
    public static final int DEFAULT_LOW_WATER_MARK = 16 * 1024;
    /** The write-buffer size above which a writer is paused, unless told otherwise. */
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;
    /** The write-buffer limit unless told otherwise: 4 MiB. */
    public static final long DEFAULT_WRITE_BUFFER_LIMIT = 4L * 1024 * 1024;

    private static final ServerOptions DEFAULTS = new Builder().build();

    private final int backlog;
    private final boolean reuseAddress;
    private final boolean reusePort;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final Duration requestDeadline;
    private final TlsOptions tls;
    private final ProxyProtocol proxyProtocol;
    private final int lowWaterMark;
    private final int highWaterMark;
    private final long writeBufferLimit;
    private final Set<PosixFilePermission> socketPermissions;

    private ServerOptions(Builder b) {
        this.backlog = b.backlog;
        this.reuseAddress = b.reuseAddress;
        this.reusePort = b.reusePort;
        this.maxConnections = b.maxConnections;
        this.idleTimeout = b.idleTimeout;
        this.requestDeadline = b.requestDeadline;
        this.tls = b.tls;
        this.proxyProtocol = b.proxyProtocol;
        this.lowWaterMark = b.lowWaterMark;
        this.highWaterMark = b.highWaterMark;
        this.writeBufferLimit = b.writeBufferLimit;
        this.socketPermissions = b.socketPermissions == null ? null : Set.copyOf(b.socketPermissions);
    }

    /** Every setting at its default. */
    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backlog = backlog;
        b.reuseAddress = reuseAddress;
        b.reusePort = reusePort;
        b.maxConnections = maxConnections;
        b.idleTimeout = idleTimeout;
        b.requestDeadline = requestDeadline;
        b.tls = tls;
        b.proxyProtocol = proxyProtocol;
        b.lowWaterMark = lowWaterMark;
        b.highWaterMark = highWaterMark;
        b.writeBufferLimit = writeBufferLimit;
        b.socketPermissions = socketPermissions;
        return b;
    }

    /** The listen backlog: connections the kernel queues before accept. */
    public int backlog() {
        return backlog;
    }

    /** Whether {@code SO_REUSEADDR} is set on a TCP listener. */
    public boolean reuseAddress() {
        return reuseAddress;
    }

    /** Whether {@code SO_REUSEPORT} is set, so other sockets may share the port. */
    public boolean reusePort() {
        return reusePort;
    }

    /** The connection limit; 0 for none. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The idle timeout, or null for none. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The request deadline, or null for none. */
    public Duration requestDeadline() {
        return requestDeadline;
    }

    /** TLS, or null for plain connections. */
    public TlsOptions tls() {
        return tls;
    }

    /** The PROXY protocol, or null for none. */
    public ProxyProtocol proxyProtocol() {
        return proxyProtocol;
    }

    /** The write-buffer size at or below which a paused writer resumes. */
    public int lowWaterMark() {
        return lowWaterMark;
    }

    /** The write-buffer size above which a writer is paused. */
    public int highWaterMark() {
        return highWaterMark;
    }

    /** The write-buffer limit in bytes; 0 for none. */
    public long writeBufferLimit() {
        return writeBufferLimit;
    }

    /** The socket file's permission bits, or null to leave them to the umask. */
    public Set<PosixFilePermission> socketPermissions() {
        return socketPermissions;
    }

    @Override
    public String toString() {
        return "ServerOptions[backlog=" + backlog + ", reuseAddress=" + reuseAddress + ", reusePort=" + reusePort
                + ", maxConnections=" + maxConnections + ", idleTimeout=" + idleTimeout + ", requestDeadline=" + requestDeadline
                + ", tls=" + (tls != null) + ", proxyProtocol=" + proxyProtocol + ", waterMarks=" + lowWaterMark + "/" + highWaterMark
                + ", writeBufferLimit=" + writeBufferLimit + ", socketPermissions=" + socketPermissions + "]";
    }

    /** Builds {@link ServerOptions}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private int backlog = DEFAULT_BACKLOG;
        private boolean reuseAddress = true;
        private boolean reusePort;
        private int maxConnections;
        private Duration idleTimeout;
        private Duration requestDeadline;
        private TlsOptions tls;
        private ProxyProtocol proxyProtocol;
        private int lowWaterMark = DEFAULT_LOW_WATER_MARK;
        private int highWaterMark = DEFAULT_HIGH_WATER_MARK;
        private long writeBufferLimit = DEFAULT_WRITE_BUFFER_LIMIT;
        private Set<PosixFilePermission> socketPermissions;

        private Builder() {
        }

        /** @throws IllegalArgumentException if below 1 */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** {@code SO_REUSEADDR} on a TCP listener; default on. */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /** {@code SO_REUSEPORT}; default off. */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /** @throws IllegalArgumentException if negative; 0 means no limit */
        public Builder maxConnections(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("max connections must be 0 (no limit) or more, got " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /** @throws IllegalArgumentException if not positive; null means none */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Durations.positiveOrNull(timeout, "idle timeout");
            return this;
        }

        /** @throws IllegalArgumentException if not positive; null means none */
        public Builder requestDeadline(Duration deadline) {
            this.requestDeadline = Durations.positiveOrNull(deadline, "request deadline");
            return this;
        }

        /** TLS, or null for plain connections. */
        public Builder tls(TlsOptions tls) {
            this.tls = tls;
            return this;
        }

        /** The PROXY protocol, or null for none. */
        public Builder proxyProtocol(ProxyProtocol proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /** @throws IllegalArgumentException unless {@code 0 <= low <= high} and {@code high > 0} */
        public Builder writeBufferWaterMarks(int low, int high) {
            if (low < 0 || high <= 0 || low > high) {
                throw new IllegalArgumentException("water marks need 0 <= low <= high and high > 0, got " + low + " and " + high);
            }
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return this;
        }

        /**
         * The most a connection may buffer while its protocol has been told to pause writing: a
         * write that takes the buffer past this, from a protocol that ignored {@code pauseWriting},
         * closes the connection (its peer is not reading), counts it in
         * {@link ServerStats#writeBufferLimitCloses()} and logs it at most once a second. One write
         * larger than the limit, made while writing is not paused, is taken whole. On an event-loop
         * datagram socket it bounds the replies waiting to be sent: one that does not fit is dropped
         * and counted in {@link ServerStats#repliesDropped()}. Default
         * {@value #DEFAULT_WRITE_BUFFER_LIMIT} bytes (4 MiB).
         *
         * @throws IllegalArgumentException if negative; 0 means none
         */
        public Builder writeBufferLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("write buffer limit must be 0 (none) or more, got " + bytes);
            }
            this.writeBufferLimit = bytes;
            return this;
        }

        /** The socket file's bits, such as {@code PosixFilePermissions.fromString("rw-rw----")}; null leaves them to the umask. */
        public Builder socketPermissions(Set<PosixFilePermission> permissions) {
            this.socketPermissions = permissions == null ? null : EnumSet.copyOf(permissions);
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException if the write-buffer limit is below the high water mark
         */
        public ServerOptions build() {
            if (writeBufferLimit != 0 && writeBufferLimit < highWaterMark) {
                throw new IllegalArgumentException("write buffer limit " + writeBufferLimit + " is below the high water mark " + highWaterMark);
            }
            return new ServerOptions(this);
        }

    }

    /** Whether two option values are the same settings. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ServerOptions other && backlog == other.backlog && reuseAddress == other.reuseAddress
                && reusePort == other.reusePort && maxConnections == other.maxConnections
                && Objects.equals(idleTimeout, other.idleTimeout) && Objects.equals(requestDeadline, other.requestDeadline)
                && Objects.equals(tls, other.tls) && Objects.equals(proxyProtocol, other.proxyProtocol)
                && lowWaterMark == other.lowWaterMark && highWaterMark == other.highWaterMark
                && writeBufferLimit == other.writeBufferLimit && Objects.equals(socketPermissions, other.socketPermissions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(backlog, reuseAddress, reusePort, maxConnections, idleTimeout, requestDeadline, tls, proxyProtocol,
                lowWaterMark, highWaterMark, writeBufferLimit, socketPermissions);
    }
}
