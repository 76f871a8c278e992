package dev.socketserver.loadgen;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw results of one benchmark run: a text file of facts about the run ({@code # key: value}
 * lines: commit, JDK, processor, how the cores were shared), then a header line and one
 * tab-separated {@link ResultRow} per measurement. {@code bench/run} writes the facts, the load
 * generator appends the rows, and socketserver-bench's report reads the whole.
 *
 * @param facts the {@code # key: value} lines, in file order; the values of a key said twice are joined with {@code "; "}
 * @param rows the measurements, in file order
 */
public record ResultsFile(Map<String, String> facts, List<ResultRow> rows) {

    public ResultsFile {
        facts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        rows = List.copyOf(rows);
    }

    /**
     * Reads a results file.
     *
     * @throws IOException if it cannot be read, or a line is malformed (the message names the line)
     */
    public static ResultsFile read(Path file) throws IOException {
        Map<String, String> facts = new LinkedHashMap<>();
        List<ResultRow> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || ResultRow.isHeader(line)) {
                continue;
            }
            if (line.startsWith("#")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    facts.merge(line.substring(1, colon).strip(), line.substring(colon + 1).strip(), (a, b) -> a + "; " + b);
                }
                continue;
            }
            try {
                rows.add(ResultRow.parse(line));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ", line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new ResultsFile(facts, rows);
    }

    /**
     * Appends one row to {@code file}, writing the header line first if the file has none yet. Safe
     * against other processes appending at the same time.
     */
    public static void append(Path file, ResultRow row) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            FileLock lock = channel.lock();
            try {
                boolean hasHeader = Files.readAllLines(file, StandardCharsets.UTF_8).stream().anyMatch(ResultRow::isHeader);
                String text = (hasHeader ? "" : ResultRow.COLUMNS + "\n") + row.toLine() + "\n";
                channel.position(channel.size());
                channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            } finally {
                lock.release();
            }
        }
    }
}
