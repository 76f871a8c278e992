/**
 * Micrometer metrics for socketserver: {@link dev.socketserver.micrometer.ServerMetrics} binds a
 * server's statistics to a {@code MeterRegistry}.
 */
package dev.socketserver.micrometer;
