package dev.socketserver.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Watches the server process while the {@link LoadGenerator} drives it: its resident memory before
 * the connections open and once they are all open and idle ({@code VmRSS} in
 * {@code /proc/PID/status}, Linux only), and the processor time it uses while measuring. Figures
 * it cannot read stay at -1.
 */
final class ServerProbe implements LoadGenerator.Listener {
    private final long pid;
    private long rssBeforeKib = -1;
    private long rssIdleKib = -1;
    private double cpuStart = -1;
    private double ownStart = -1;
    private double tasksStart = -1;
    private long measureStart;
    private double cpu = -1;
    private double cpuSeconds = -1;
    private double otherCpu = Double.NaN;

    ServerProbe(long pid) {
        this.pid = pid;
    }

    /** Reads the memory before the connections open; call before the run. */
    void before() {
        rssBeforeKib = treeRssKib(pid);
    }

    @Override
    public void idle(int connected) {
        rssIdleKib = treeRssKib(pid);
    }

    @Override
    public void measuring() {
        cpuStart = treeCpuSeconds(pid);
        ownStart = cpuSeconds(ProcessHandle.current().pid());
        tasksStart = taskCpuSeconds();
        measureStart = System.nanoTime();
    }

    @Override
    public void measured() {
        double seconds = (System.nanoTime() - measureStart) / 1e9;
        double end = treeCpuSeconds(pid);
        double ownEnd = cpuSeconds(ProcessHandle.current().pid());
        double tasksEnd = taskCpuSeconds();
        if (cpuStart >= 0 && end >= 0) {
            cpuSeconds = end - cpuStart;
            cpu = cpuSeconds / seconds;
            if (ownStart >= 0 && ownEnd >= 0 && tasksStart >= 0 && tasksEnd >= 0) {
                otherCpu = Math.max(0, ((tasksEnd - tasksStart) - (end - cpuStart) - (ownEnd - ownStart)) / seconds);
            }
        }
    }

    /**
     * The processor time that neither the server nor the generator used while measuring, in cores:
     * other work on the machine that disturbed the measurement. NaN if unknown.
     */
    double otherCpu() {
        return otherCpu;
    }

    long rssBeforeKib() {
        return rssBeforeKib;
    }

    long rssIdleKib() {
        return rssIdleKib;
    }

    /** The server's processor use while measuring, in cores; -1 if unknown. */
    double cpu() {
        return cpu;
    }

    /**
     * The server's processor time while measuring, in microseconds per message: what it paid for each
     * of the {@code messages} echoed meanwhile; NaN if unknown or nothing was echoed.
     */
    double cpuMicrosPerMessage(long messages) {
        return cpuSeconds < 0 || messages <= 0 ? Double.NaN : cpuSeconds * 1e6 / messages;
    }

    /**
     * The resident memory of the server and the processes it started (worker processes), in KiB;
     * -1 if the server's cannot be read.
     */
    static long treeRssKib(long pid) {
        long total = rssKib(pid);
        if (total < 0) {
            return -1;
        }
        for (long child : descendants(pid)) {
            total += Math.max(0, rssKib(child));
        }
        return total;
    }

    /**
     * The processor time of the server and the processes it started, in seconds; -1 if the server's
     * is unknown. Each process counts with the time of its children that have exited and been waited
     * for, so a process that ends during the measurement (a process per connection) still counts.
     */
    static double treeCpuSeconds(long pid) {
        double total = cpuSeconds(pid);
        if (total < 0) {
            return -1;
        }
        for (long child : descendants(pid)) {
            total += Math.max(0, cpuSeconds(child));
        }
        return total;
    }

    private static java.util.List<Long> descendants(long pid) {
        return ProcessHandle.of(pid).map(p -> p.descendants().map(ProcessHandle::pid).toList()).orElse(java.util.List.of());
    }

    /** The {@code VmRSS} line of {@code /proc/PID/status}, in KiB; -1 if it cannot be read. */
    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /**
     * The processor time the machine has spent so far in user and system mode and in interrupts, in
     * seconds ({@code /proc/stat}); -1 if unknown. Interrupts count because Linux charges the
     * interrupt it finds running at a clock tick to the process it interrupted as well: the loopback
     * TCP work done in a process's send is in that process's time, so leaving it out here would
     * hide other work (by about 0.4 cores in an echo test at full speed).
     */
    static double taskCpuSeconds() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    return taskTicks(line) / (double) CLOCK_TICKS;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** user + nice + system + irq + softirq of a {@code cpu} line of {@code /proc/stat} (idle, iowait and steal left out). */
    static long taskTicks(String cpuLine) {
        String[] f = cpuLine.strip().split("\\s+");
        return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
    }

    /** USER_HZ: Linux reports /proc/stat in hundredths of a second on every architecture the JDK runs on. */
    private static final int CLOCK_TICKS = 100;

    /**
     * A process's user and system time and that of its exited, waited-for children ({@code utime},
     * {@code stime}, {@code cutime}, {@code cstime} of {@code /proc/PID/stat}), in seconds; where
     * there is no {@code /proc}, the JDK's figure of the process alone; -1 if unknown.
     */
    static double cpuSeconds(long pid) {
        try {
            long ticks = statTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
            if (ticks >= 0) {
                return ticks / (double) CLOCK_TICKS;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone: ask the JDK
        }
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos)
                .map(n -> n / 1e9).orElse(-1.0);
    }

    /**
     * utime + stime + cutime + cstime of a {@code /proc/PID/stat} line, in clock ticks; -1 if the line
     * is too short. The fields are counted after the command name, which is in parentheses and may
     * hold spaces and parentheses itself.
     */
    static long statTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 1).strip().split("\\s+");
        if (f.length < 15) {
            return -1;
        }
        // from the state (field 3): utime is field 14, stime 15, cutime 16, cstime 17
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}
