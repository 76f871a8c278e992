package dev.socketserver;

import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.DrainPlan;
import dev.socketserver.internal.Loggers;
import dev.socketserver.internal.ProxiedConnection;
import dev.socketserver.internal.ProxyAdmission;
import dev.socketserver.internal.ProxyHeaderReader;
import dev.socketserver.internal.RateLimitedLog;
import dev.socketserver.internal.TlsConnection;
import dev.socketserver.internal.TlsEngineSupport;
import dev.socketserver.internal.TlsPolicy;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What a {@link StreamServer} adds around each connection: the PROXY header and the TLS handshake
 * before the handler, close_notify after it, a drain's quiet points, and the process models (a
 * child process per connection, worker processes that accept in the server's place).
 */
final class StreamStages implements RequestStages<Connection> {
    private static final System.Logger TLS_LOG = System.getLogger(Loggers.TLS);

    private final StreamServer server;
    private final WorkerProcesses workers;
    private final RateLimitedLog tlsFailures = new RateLimitedLog(TLS_LOG, Duration.ofSeconds(1));
    private final TlsPolicy tlsPolicy;
    private final ProxyAdmission proxyAdmission;
    private volatile ProcessPerConnection children;   // process per connection only

    StreamStages(StreamServer server) {
        this.server = server;
        this.workers = new WorkerProcesses(server);
        this.tlsPolicy = new TlsPolicy(server.counters);
        this.proxyAdmission = new ProxyAdmission(server.counters);
    }

    ProxyAdmission proxyAdmission() {
        return proxyAdmission;
    }

    WorkerProcesses workers() {
        return workers;
    }

    /** The children of a process-per-connection server, once activated; null otherwise. */
    ProcessPerConnection children() {
        return children;
    }

    void useChildren(ProcessPerConnection processes) {
        this.children = processes;
    }

    /** Reads the PROXY header, if the options ask for one, then runs the TLS handshake, if they ask for TLS. */
    @Override
    public Connection begin(Connection request) throws IOException {
        ProxyInfo proxy = null;
        if (proxyAdmission.isOn()) {
            proxy = ProxyHeaderReader.read(request, proxyAdmission);
            if (proxy == null) {
                return null;
            }
        }
        Connection served = request;
        TlsOptions tls = server.options().tls();
        if (tls != null) {
            try {
                served = TlsConnection.accept(request, tls.context(), tls.needClientAuth(), tls.applicationProtocols(), tls.handshakeDeadline(),
                        tlsPolicy);
            } catch (IOException e) {
                server.counters.tlsHandshakeFailures.increment();
                if (e instanceof SocketTimeoutException) {
                    server.counters.timeouts.increment();
                }
                if (!server.isDraining() && request.isOpen()) {
                    tlsFailures.log(Level.WARNING, () -> TlsEngineSupport.failureMessage(request.clientAddress(), e.getMessage()));
                }
                return null;
            }
        }
        return proxy == null ? served : new ProxiedConnection(served, proxy);
    }

    @Override
    public void end(Connection served) {
        if (unwrapped(served) instanceof TlsConnection tls) {
            tls.closeOutbound();
        }
    }

    @Override
    public boolean endedByPolicy(Connection served) {
        return unwrapped(served) instanceof TlsConnection tls && tls.renegotiationRefused();
    }

    private static Connection unwrapped(Connection served) {
        return served instanceof ProxiedConnection proxied ? proxied.real() : served;
    }

    @Override
    public void drainStarted() {
        for (Connection request : server.runningRequests()) {
            if (request instanceof ChannelConnection connection) {
                connection.drainStarted();
            }
        }
    }

    /** Ends the connections that are at a quiet point; see {@link BaseServer#shutdown(Duration)}. */
    @Override
    public void drainLook(DrainPlan plan, long nowNanos) {
        for (Connection request : server.runningRequests()) {
            if (request instanceof ChannelConnection connection) {
                connection.drainLook(plan, nowNanos);
            }
        }
    }

    /** Spawns the command with the connection on its stdin and stdout, and ends the request when the child exits. */
    @Override
    public void startDetached(Connection request, SocketAddress clientAddress) throws IOException {
        children.spawn(request, clientAddress, server::isClosed, server::detachedRequestEnded);
    }

    @Override
    public void loopTurned() {
        workers.beat();
    }

    @Override
    public boolean supervisesWorkers() {
        return workers.isSupervisor();
    }

    @Override
    public void superviseWorkers(BooleanSupplier stop, long pollNanos, Runnable serviceActions) {
        workers.supervise(stop, pollNanos, serviceActions);
    }

    @Override
    public boolean afterClose(long deadlineNanos) {
        boolean inTime = true;
        ProcessPerConnection processes = children;
        if (processes != null) {
            inTime = processes.terminate(deadlineNanos);
        }
        if (workers.isSupervisor()) {
            inTime = workers.stopAndAwait(deadlineNanos);
        }
        workers.stopDrainOnExit();
        return inTime;
    }
}
