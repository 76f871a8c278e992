package dev.socketserver.loadgen;

import java.util.Locale;

/**
 * One measurement of one server in one test, as a line of a results file (tab-separated, in the
 * order of {@link #COLUMNS}). Figures that do not apply, or that were not measured, are NaN (an
 * empty field in the file) or -1 for counts.
 *
 * @param test the test, such as {@code tcp-50} or {@code udp-50}
 * @param server the server's short name, such as {@code netty-epoll}
 * @param transport tcp, udp or unix
 * @param connections connections asked for
 * @param connected connections open when the traffic began
 * @param size bytes per message
 * @param pipeline messages in flight per connection
 * @param seconds length of the measured period
 * @param messages echoes completed without error in it
 * @param messagesPerSecond echoes per second
 * @param megabytesPerSecond echoed megabytes (10^6 bytes) per second, one direction
 * @param p50 median round trip, microseconds
 * @param p99 99th percentile, microseconds
 * @param p999 99.9th percentile, microseconds
 * @param max the longest round trip, microseconds
 * @param errors errors over the whole run
 * @param lost UDP datagrams lost
 * @param generatorCpu the generator's processor use while measuring, in cores
 * @param serverCpu the server's processor use while measuring, in cores
 * @param otherCpu processor use by anything else on the machine while measuring, in cores: a
 *     measurement taken while other work ran is suspect
 * @param rssBeforeKib the server's resident memory before the connections opened, KiB
 * @param rssIdleKib the same once every connection was open and idle, KiB
 * @param status {@code ok}, or why the measurement failed
 * @param note the first error, or nothing
 * @param serverCpuMicrosPerMessage the server's processor time while measuring (user and system time
 *     of it and the processes it started, from {@code /proc/PID/stat}) divided by the messages
 *     echoed meanwhile, in microseconds; NaN when not measured (and in files written before this
 *     column existed, which {@link #parse} still reads)
 */
public record ResultRow(String test, String server, String transport, int connections, int connected, int size,
                        int pipeline, double seconds, long messages, double messagesPerSecond, double megabytesPerSecond,
                        double p50, double p99, double p999, double max, long errors, long lost,
                        double generatorCpu, double serverCpu, double otherCpu, long rssBeforeKib, long rssIdleKib,
                        String status, String note, double serverCpuMicrosPerMessage) {

    /** The header line of a results file. */
    public static final String COLUMNS = String.join("\t", "test", "server", "transport", "connections", "connected",
            "size", "pipeline", "seconds", "messages", "msgs_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us",
            "max_us", "errors", "lost", "generator_cpu", "server_cpu", "other_cpu", "rss_before_kib", "rss_idle_kib", "status", "note",
            "server_cpu_us_per_msg");

    private static final int FIELDS = COLUMNS.split("\t").length;
    /** The fields of a line written before {@code server_cpu_us_per_msg} was added at the end. */
    private static final int OLD_FIELDS = FIELDS - 1;

    public ResultRow {
        test = clean(test);
        server = clean(server);
        transport = clean(transport);
        status = clean(status);
        note = clean(note);
    }

    /** A row for a measurement that did not happen, saying why. */
    public static ResultRow failed(String test, String server, String transport, int connections, int size, String why) {
        return new ResultRow(test, server, transport, connections, 0, size, 1, Double.NaN, 0, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1, Double.NaN, Double.NaN, Double.NaN, -1, -1, "failed", why, Double.NaN);
    }

    /** Whether {@code line} is the header line of a results file, this version's or an older one's. */
    public static boolean isHeader(String line) {
        return line.startsWith("test\tserver\t");
    }

    /** Whether the measurement ran to the end. Errors may still have happened: see {@link #errors()}. */
    public boolean ok() {
        return status.equals("ok");
    }

    /**
     * The server's memory per open idle connection, in bytes: the growth of its resident set from
     * before the connections opened to when they were all open, divided by their number. NaN when
     * not measured.
     */
    public double rssPerConnectionBytes() {
        if (rssBeforeKib < 0 || rssIdleKib < 0 || connected <= 0) {
            return Double.NaN;
        }
        return (rssIdleKib - rssBeforeKib) * 1024.0 / connected;
    }

    /** This row as a line of a results file, without the line break. */
    public String toLine() {
        return String.join("\t", test, server, transport, Integer.toString(connections), Integer.toString(connected),
                Integer.toString(size), Integer.toString(pipeline), number(seconds), Long.toString(messages),
                number(messagesPerSecond), number(megabytesPerSecond), number(p50), number(p99), number(p999),
                number(max), Long.toString(errors), Long.toString(lost), number(generatorCpu), number(serverCpu),
                number(otherCpu), Long.toString(rssBeforeKib), Long.toString(rssIdleKib), status, note,
                number(serverCpuMicrosPerMessage));
    }

    /**
     * Parses a line written by {@link #toLine()}, or by an older version without the last field
     * ({@code server_cpu_us_per_msg}, then NaN).
     *
     * @throws IllegalArgumentException if the line does not have the right fields
     */
    public static ResultRow parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != FIELDS && f.length != OLD_FIELDS) {
            throw new IllegalArgumentException("a result line needs " + FIELDS + " tab-separated fields (" + OLD_FIELDS
                    + " in older files), got " + f.length);
        }
        try {
            return new ResultRow(f[0], f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    Integer.parseInt(f[6]), real(f[7]), Long.parseLong(f[8]), real(f[9]), real(f[10]), real(f[11]),
                    real(f[12]), real(f[13]), real(f[14]), Long.parseLong(f[15]), Long.parseLong(f[16]), real(f[17]),
                    real(f[18]), real(f[19]), Long.parseLong(f[20]), Long.parseLong(f[21]), f[22], f[23],
                    f.length == FIELDS ? real(f[24]) : Double.NaN);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a result line has a field that is not a number: " + e.getMessage());
        }
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static double real(String field) {
        return field.isEmpty() ? Double.NaN : Double.parseDouble(field);
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
