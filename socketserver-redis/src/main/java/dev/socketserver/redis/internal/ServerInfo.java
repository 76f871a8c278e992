package dev.socketserver.redis.internal;

import java.util.Locale;

/** What INFO tells: a {@code # Server} section as Redis's (with our own name beside the version clients check), memory, and the keyspace. */
final class ServerInfo {
    /** The Redis version whose commands and replies this server follows, for clients that check it. */
    static final String REDIS_VERSION = "7.0.0";

    private final long startedNanos = System.nanoTime();
    private volatile int port;

    void port(int port) {
        this.port = port;
    }

    String text(Store store, String section) {
        String wanted = section.toLowerCase(Locale.ROOT);
        boolean all = wanted.equals("default") || wanted.equals("all") || wanted.equals("everything");
        var text = new StringBuilder();
        if (all || wanted.equals("server")) {
            long uptime = (System.nanoTime() - startedNanos) / 1_000_000_000L;
            text.append("# Server\r\n")
                    .append("redis_version:").append(REDIS_VERSION).append("\r\n")
                    .append("server_name:socketserver-redis\r\n")
                    .append("redis_mode:standalone\r\n")
                    .append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append("\r\n")
                    .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                    .append("java_version:").append(Runtime.version()).append("\r\n")
                    .append("tcp_port:").append(port).append("\r\n")
                    .append("uptime_in_seconds:").append(uptime).append("\r\n")
                    .append("uptime_in_days:").append(uptime / 86_400).append("\r\n\r\n");
        }
        if (all || wanted.equals("memory")) {
            Runtime runtime = Runtime.getRuntime();
            text.append("# Memory\r\n")
                    .append("used_memory:").append(runtime.totalMemory() - runtime.freeMemory()).append("\r\n")
                    .append("maxmemory:0\r\n\r\n");
        }
        if (all || wanted.equals("stats")) {
            text.append("# Stats\r\n")
                    .append("expired_keys:").append(store.expiredKeys()).append("\r\n\r\n");
        }
        if (all || wanted.equals("keyspace")) {
            text.append("# Keyspace\r\n");
            if (store.size() > 0) {
                text.append("db0:keys=").append(store.size()).append(",expires=").append(store.expiringKeys()).append(",avg_ttl=0\r\n");
            }
        }
        return text.toString();
    }
}
