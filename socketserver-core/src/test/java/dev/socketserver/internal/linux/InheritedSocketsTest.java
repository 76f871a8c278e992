package dev.socketserver.internal.linux;

import dev.socketserver.UnixAddress;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the variables of systemd's socket activation are read, and which inherited socket a server's address takes. */
class InheritedSocketsTest {
    private static final long PID = 4242;

    @Test
    void variablesForAnotherProcessOrMissingPassNothing() throws IOException {
        assertThat(InheritedSockets.read(Map.of(), PID)).isEmpty();
        assertThat(InheritedSockets.read(Map.of("LISTEN_FDS", "1"), PID)).as("no LISTEN_PID").isEmpty();
        assertThat(InheritedSockets.read(Map.of("LISTEN_PID", "1", "LISTEN_FDS", "1"), PID)).as("another process's").isEmpty();
        assertThat(InheritedSockets.read(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "0"), PID)).isEmpty();
    }

    @Test
    void aCountThatIsNotANumberIsAnError() {
        assertThatThrownBy(() -> InheritedSockets.read(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "two"), PID))
                .isInstanceOf(IOException.class).hasMessage("LISTEN_FDS=two is not a number");
        assertThatThrownBy(() -> InheritedSockets.read(Map.of("LISTEN_PID", "4242", "LISTEN_FDS", "-1"), PID))
                .isInstanceOf(IOException.class).hasMessage("LISTEN_FDS=-1 is out of range");
    }

    @Test
    void anAddressTakesTheSocketBoundThereAndAWildcardTakesEitherFamilysWildcard() {
        assertThat(InheritedSockets.sameEndpoint(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 8080))).isTrue();
        assertThat(InheritedSockets.sameEndpoint(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("127.0.0.1", 8081))).isFalse();
        assertThat(InheritedSockets.sameEndpoint(new InetSocketAddress("127.0.0.1", 8080), new InetSocketAddress("0.0.0.0", 8080))).isFalse();
        assertThat(InheritedSockets.sameEndpoint(new InetSocketAddress(8080), new InetSocketAddress("::", 8080)))
                .as("ListenStream=8080 binds [::]:8080").isTrue();
        assertThat(InheritedSockets.sameEndpoint(new InetSocketAddress(8080), null)).isFalse();
    }

    @Test
    void aUnixPathTakesTheSocketAtTheSameFileEitherWayItIsWritten() {
        Path file = Path.of("/run/app/app.sock");
        assertThat(InheritedSockets.sameEndpoint(UnixDomainSocketAddress.of(file), UnixDomainSocketAddress.of("/run/app/../app/app.sock"))).isTrue();
        assertThat(InheritedSockets.sameEndpoint(UnixAddress.of(file), UnixAddress.of(file))).isTrue();
        assertThat(InheritedSockets.sameEndpoint(UnixDomainSocketAddress.of(file), UnixDomainSocketAddress.of("/run/app/other.sock"))).isFalse();
        assertThat(InheritedSockets.sameEndpoint(UnixAddress.ofAbstract("app"), UnixAddress.ofAbstract("app"))).isTrue();
        assertThat(InheritedSockets.sameEndpoint(UnixAddress.ofAbstract("app"), UnixAddress.of(Path.of("app")))).isFalse();
    }
}
