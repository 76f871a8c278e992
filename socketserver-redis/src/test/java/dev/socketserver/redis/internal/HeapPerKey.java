package dev.socketserver.redis.internal;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * Measures the heap one string key costs: fills the engine with N keys of 16 bytes
 * ({@code key:000000000001}, as redis-benchmark names them) holding 16-byte values, through SET
 * requests as a client sends them, and prints the used heap after a full collection, before and
 * after, per key. Not a test (no timing or memory is asserted in tests); run it with
 * {@code java -cp target/classes:target/test-classes dev.socketserver.redis.internal.HeapPerKey [N]}.
 */
public final class HeapPerKey {
    private HeapPerKey() {
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (var engine = new Engine()) {
            var reply = new Reply();
            var session = new Session();
            long before = usedAfterGc();
            byte[] set = "SET".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < keys; i++) {
                var request = new Arguments();
                request.add(set);
                request.add(String.format("key:%012d", i).getBytes(StandardCharsets.US_ASCII));
                request.add(String.format("value:%010d", i).getBytes(StandardCharsets.US_ASCII));
                engine.execute(request, reply, session);
                reply.clear();
            }
            long after = usedAfterGc();
            System.out.printf("%,d keys: %,d bytes of heap, %.1f bytes per key (%s)%n",
                    engine.size(), after - before, (after - before) / (double) keys, Runtime.version());
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();   // a full, synchronous collection with G1 unless -XX:+ExplicitGCInvokesConcurrent
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
