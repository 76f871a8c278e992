package dev.socketserver.micrometer;

import dev.socketserver.Server;
import dev.socketserver.ServerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Publishes a server's statistics ({@link Server#stats()}) to a Micrometer registry, and so to
 * Prometheus, Datadog, OTLP or any other backend Micrometer reaches:
 *
 * {@snippet :
 * new ServerMetrics(server, "echo").bindTo(registry);
 * }
 *
 * <p>Every meter is tagged {@code server=<name>} (and with the extra tags given), and reads the
 * server's live counts each time the registry reads it: nothing is copied at binding time, and
 * nothing runs on the server's threads. Counts run from the server's creation; after it closes
 * they keep their last values.
 *
 * <table class="striped">
 * <caption>The meters (Prometheus names add {@code _total} to counters and the base unit, as in {@code socketserver_data_received_bytes_total})</caption>
 * <thead><tr><th>meter</th><th>type</th><th>from {@link ServerStats}</th></tr></thead>
 * <tbody>
 * <tr><td>{@code socketserver.connections.open}</td><td>gauge</td><td>{@code activeRequests}: open connections, or datagrams being handled</td></tr>
 * <tr><td>{@code socketserver.connections.accepted}</td><td>counter</td><td>{@code accepted}: connections accepted, or datagrams received</td></tr>
 * <tr><td>{@code socketserver.connections.closed}</td><td>counter</td><td>{@code closed}</td></tr>
 * <tr><td>{@code socketserver.requests}</td><td>counter</td><td>{@code requestsTotal}</td></tr>
 * <tr><td>{@code socketserver.requests.refused}</td><td>counter</td><td>{@code requestsRefused}</td></tr>
 * <tr><td>{@code socketserver.data.received}, {@code socketserver.data.sent}</td><td>counters, bytes</td><td>{@code bytesIn}, {@code bytesOut}</td></tr>
 * <tr><td>{@code socketserver.handler.errors}</td><td>counter</td><td>{@code handlerErrors}</td></tr>
 * <tr><td>{@code socketserver.accept.errors}</td><td>counter</td><td>{@code acceptErrors}</td></tr>
 * <tr><td>{@code socketserver.timeouts}</td><td>counter</td><td>{@code timeouts}</td></tr>
 * <tr><td>{@code socketserver.tls.handshake.failures}</td><td>counter</td><td>{@code tlsHandshakeFailures}</td></tr>
 * <tr><td>{@code socketserver.tls.renegotiations.refused}</td><td>counter</td><td>{@code tlsRenegotiationsRefused}</td></tr>
 * <tr><td>{@code socketserver.proxy.rejections}, tagged {@code reason}</td><td>counter per reason</td><td>{@code proxyRejectionsByReason};
 *     every reason the servers count is present from the start, at 0, and {@code reason=other} holds any the library adds later</td></tr>
 * <tr><td>{@code socketserver.datagrams.truncated}</td><td>counter</td><td>{@code truncatedDatagrams}</td></tr>
 * <tr><td>{@code socketserver.drain.quiet.closes}</td><td>counter</td><td>{@code drainQuietCloses}</td></tr>
 * <tr><td>{@code socketserver.drain.cuts}</td><td>counter</td><td>{@code drainCuts}</td></tr>
 * <tr><td>{@code socketserver.write.buffer.limit.closes}</td><td>counter</td><td>{@code writeBufferLimitCloses}</td></tr>
 * <tr><td>{@code socketserver.datagram.replies.dropped}</td><td>counter</td><td>{@code repliesDropped}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Reading a counter takes a snapshot of the server's counters (a few dozen additions, no
 * lock), so a scrape costs the server nothing it would notice.
 */
public final class ServerMetrics implements MeterBinder {
    /**
     * The reasons a PROXY protocol header is turned away, as {@link ServerStats#proxyRejectionsByReason()}
     * names them: each gets its counter at 0 from the start, so that a rate over it exists before the first rejection.
     */
    static final List<String> PROXY_REJECTION_REASONS = List.of("untrusted", "timeout", "io", "not_proxy_protocol", "bad_signature",
            "unsupported_version", "bad_command", "bad_family", "malformed_line", "truncated", "too_long", "malformed_address",
            "bad_port", "bad_tlv", "bad_checksum");

    private final Server server;
    private final Tags tags;

    /** Meters for {@code server}, tagged {@code server=name}. */
    public ServerMetrics(Server server, String name) {
        this(server, name, Tags.empty());
    }

    /** Meters for {@code server}, tagged {@code server=name} and with {@code tags}. */
    public ServerMetrics(Server server, String name, Iterable<Tag> tags) {
        this.server = Objects.requireNonNull(server, "server");
        this.tags = Tags.of(tags).and("server", Objects.requireNonNull(name, "name"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("socketserver.connections.open", server, s -> s.activeRequests())
                .description("Open connections (stream servers), or datagrams being handled (datagram servers)")
                .tags(tags).register(registry);
        counter(registry, "socketserver.connections.accepted", "Connections accepted, or datagrams received", null, ServerStats::accepted);
        counter(registry, "socketserver.connections.closed", "Connections closed or datagrams done, served or not", null, ServerStats::closed);
        counter(registry, "socketserver.requests", "Requests that passed verifyRequest", null, ServerStats::requestsTotal);
        counter(registry, "socketserver.requests.refused", "Requests that verifyRequest turned away", null, ServerStats::requestsRefused);
        counter(registry, "socketserver.data.received", "Bytes read from clients (plaintext under TLS)", BaseUnits.BYTES, ServerStats::bytesIn);
        counter(registry, "socketserver.data.sent", "Bytes written to clients (plaintext under TLS)", BaseUnits.BYTES, ServerStats::bytesOut);
        counter(registry, "socketserver.handler.errors", "Exceptions from handlers, reported to handleError", null, ServerStats::handlerErrors);
        counter(registry, "socketserver.accept.errors", "Failures to accept or receive, each retried", null, ServerStats::acceptErrors);
        counter(registry, "socketserver.timeouts", "Connections closed by the idle timeout, request deadline, TLS handshake or PROXY header deadline",
                null, ServerStats::timeouts);
        counter(registry, "socketserver.tls.handshake.failures", "Clients that failed the TLS handshake, timeouts included", null,
                ServerStats::tlsHandshakeFailures);
        counter(registry, "socketserver.tls.renegotiations.refused", "TLS connections closed because the client began a renegotiation", null,
                ServerStats::tlsRenegotiationsRefused);
        counter(registry, "socketserver.datagrams.truncated", "Datagrams longer than the maximum packet size", null,
                ServerStats::truncatedDatagrams);
        counter(registry, "socketserver.drain.quiet.closes", "Connections a drain ended at a quiet point", null, ServerStats::drainQuietCloses);
        counter(registry, "socketserver.drain.cuts", "Requests still running when a drain's deadline passed, and cut", null, ServerStats::drainCuts);
        counter(registry, "socketserver.write.buffer.limit.closes", "Connections closed because their write buffer passed the limit", null,
                ServerStats::writeBufferLimitCloses);
        counter(registry, "socketserver.datagram.replies.dropped", "Datagram replies dropped because the reply queue was full", null,
                ServerStats::repliesDropped);
        for (String reason : PROXY_REJECTION_REASONS) {
            proxyRejections(registry, reason, stats -> stats.proxyRejectionsByReason().getOrDefault(reason, 0L));
        }
        proxyRejections(registry, "other", stats -> stats.proxyRejections() - stats.proxyRejectionsByReason().entrySet().stream()
                .filter(e -> PROXY_REJECTION_REASONS.contains(e.getKey())).mapToLong(e -> e.getValue()).sum());
    }

    private void proxyRejections(MeterRegistry registry, String reason, ToLongFunction<ServerStats> count) {
        FunctionCounter.builder("socketserver.proxy.rejections", server, s -> count.applyAsLong(s.stats()))
                .description("Connections the PROXY protocol turned away, by reason")
                .tags(tags).tag("reason", reason).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, String baseUnit, ToLongFunction<ServerStats> count) {
        FunctionCounter.builder(name, server, s -> count.applyAsLong(s.stats()))
                .description(description).baseUnit(baseUnit).tags(tags).register(registry);
    }
}
