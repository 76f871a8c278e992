package dev.socketserver.loadgen;

import java.util.List;

/**
 * What a {@link LoadGenerator} run measured. Throughput and latency count only the measured
 * period; errors count the whole run, from the first connection to the last byte.
 *
 * @param options what the run did
 * @param connected connections (or UDP clients) that were open when the traffic began
 * @param measuredNanos the length of the measured period
 * @param latency the round-trip latencies of the echoes completed in the measured period
 * @param errors echoes with a wrong byte, connections refused or closed by the server, bytes
 *     that were never sent: each is one error
 * @param lost UDP datagrams whose echo did not come back within the loss timeout (not errors)
 * @param errorSamples the first few errors, described
 * @param generatorCpu how busy the generator was during the measured period, in cores (1.0 is one
 *     core fully busy): its processor time, or with {@link LoadOptions#busyPoll()} the time its
 *     threads spent on I/O rather than polling in vain; negative when the system does not tell
 */
public record LoadResult(LoadOptions options, int connected, long measuredNanos, LatencySummary latency,
                         long errors, long lost, List<String> errorSamples, double generatorCpu) {

    public LoadResult {
        errorSamples = List.copyOf(errorSamples);
    }

    /** Echoes completed without error in the measured period. */
    public long messages() {
        return latency.count();
    }

    /** Echoes completed per second. */
    public double messagesPerSecond() {
        return measuredNanos == 0 ? 0 : messages() * 1e9 / measuredNanos;
    }

    /** Echoed bytes per second, in megabytes (10^6 bytes), one direction. */
    public double megabytesPerSecond() {
        return messagesPerSecond() * options.size() / 1e6;
    }
}
