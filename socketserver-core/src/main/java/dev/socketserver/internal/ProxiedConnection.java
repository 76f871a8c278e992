package dev.socketserver.internal;

import dev.socketserver.Connection;
import dev.socketserver.ProxyInfo;

import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/** A connection whose client address comes from a PROXY protocol header; everything else is the real connection's. */
public final class ProxiedConnection implements Connection {
    private final Connection real;
    private final ProxyInfo info;
    private final SocketAddress clientAddress;

    public ProxiedConnection(Connection real, ProxyInfo info) {
        this.real = real;
        this.info = info;
        this.clientAddress = info.source() != null ? info.source() : real.clientAddress();
    }

    /** The connection underneath, as accepted from the load balancer. */
    public Connection real() {
        return real;
    }

    @Override
    public Optional<ProxyInfo> proxyInfo() {
        return Optional.of(info);
    }

    @Override
    public SocketAddress clientAddress() {
        return clientAddress;
    }

    @Override
    public InputStream in() {
        return real.in();
    }

    @Override
    public OutputStream out() {
        return real.out();
    }

    @Override
    public SocketAddress localAddress() {
        return real.localAddress();
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        real.setReadTimeout(timeout);
    }

    @Override
    public Duration readTimeout() {
        return real.readTimeout();
    }

    @Override
    public void setNoDelay(boolean on) throws IOException {
        real.setNoDelay(on);
    }

    @Override
    public void shutdownOutput() throws IOException {
        real.shutdownOutput();
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return real.tlsSession();
    }

    @Override
    public Optional<String> tlsApplicationProtocol() {
        return real.tlsApplicationProtocol();
    }

    @Override
    public boolean isOpen() {
        return real.isOpen();
    }

    @Override
    public void onDrain(Runnable action) {
        real.onDrain(action);
    }

    @Override
    public void close() {
        real.close();
    }

    @Override
    public String toString() {
        return "connection from " + Addresses.format(clientAddress) + " via " + Addresses.format(real.clientAddress());
    }
}
