package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * reliability.md E2 for Unix stream servers: a directory, or a symbolic link to a file, at the
 * socket's path is refused and left exactly as it was; a path longer than the kernel's 107 bytes
 * is refused before anything is created, with a message that names the path and says it is too long.
 */
@Timeout(30)
class UnixSocketPathTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @Test
    void aDirectoryAtThePathIsRefusedAndKept() throws Exception {
        Path path = dir.resolve("d.sock");
        Files.createDirectory(path);
        Files.writeString(path.resolve("inside"), "kept");
        assertThatThrownBy(() -> echo(path)).isInstanceOf(BindException.class).hasMessageContaining("not a socket");
        assertThat(path.resolve("inside")).hasContent("kept");
    }

    @Test
    void aSymbolicLinkToAFileIsRefusedAndNeitherIsTouched() throws Exception {
        Path target = dir.resolve("precious.txt");
        Files.writeString(target, "precious");
        Path link = Files.createSymbolicLink(dir.resolve("l.sock"), target);
        assertThatThrownBy(() -> echo(link)).isInstanceOf(BindException.class).hasMessageContaining("not a socket");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(target).hasContent("precious");
    }

    @Test
    void aPathOverTheKernelsLimitIsRefusedAndNothingIsCreated() throws Exception {
        Path path = dir.resolve("x".repeat(120 - dir.toString().length() - 1));
        assertThat(path.toString()).hasSize(120);
        assertThatThrownBy(() -> echo(path)).isInstanceOf(IOException.class).hasMessageContaining(path.toString())
                .hasMessageContaining("path too long");   // the JDK's words; they do not name the limit
        assertThat(path).doesNotExist();
    }

    private static UnixStreamServer echo(Path path) throws IOException {
        return new UnixStreamServer(path, ReferenceHandlers.ECHOLINE.stream());
    }
}
