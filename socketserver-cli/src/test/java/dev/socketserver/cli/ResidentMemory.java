package dev.socketserver.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The resident memory of a server process and its worker processes, read from {@code /proc}, for the memory tests. */
final class ResidentMemory {
    private ResidentMemory() {
    }

    /**
     * VmRSS of {@code process} and its descendants after a full collection in each (through the
     * JDK's {@code jcmd}), so that what is counted is what the processes hold, not garbage that
     * grew a heap: a collected heap gives back what it does not need.
     */
    static long afterFullGc(ProcessHandle process) throws IOException, InterruptedException {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process);
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (ProcessHandle jvm : all) {
            Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!gc.waitFor(30, TimeUnit.SECONDS)) {
                gc.destroyForcibly();
                throw new IOException("jcmd GC.run on " + jvm.pid() + " did not finish in 30 s");
            }
        }
        return of(process);
    }

    /** VmRSS of {@code process} and its descendants, in bytes. */
    static long of(ProcessHandle process) throws IOException {
        long total = rss(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            total += rss(child.pid());
        }
        return total;
    }

    private static long rss(long pid) throws IOException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (NoSuchFileException gone) {
            return 0;   // a worker that ended meanwhile
        }
        return 0;
    }
}
