package dev.socketserver.redis;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/** The bytes this JVM's threads have allocated on the heap so far, virtual threads' included (through their carriers). */
final class Allocation {
    private Allocation() {
    }

    static long totalBytes() {
        try {
            return (Long) ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new ObjectName(ManagementFactory.THREAD_MXBEAN_NAME), "TotalThreadAllocatedBytes");
        } catch (Exception e) {
            throw new IllegalStateException("this JVM does not count allocated bytes", e);
        }
    }
}
