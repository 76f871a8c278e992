package dev.socketserver.loadgen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Target addresses as the command line writes them, and the loopback rule. */
@Timeout(10)
class TargetTest {

    @Test
    void tcpUdpAndUnixTargetsParse() {
        assertThat(Target.parse("tcp://127.0.0.1:9000")).isEqualTo(new Target(Target.Transport.TCP, "127.0.0.1", 9000, null));
        assertThat(Target.parse("udp://localhost:53")).isEqualTo(new Target(Target.Transport.UDP, "localhost", 53, null));
        assertThat(Target.parse("unix:/tmp/echo.sock")).isEqualTo(new Target(Target.Transport.UNIX, null, 0, Path.of("/tmp/echo.sock")));
        assertThat(Target.parse("tcp://[::1]:9000")).isEqualTo(new Target(Target.Transport.TCP, "::1", 9000, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1:9000", "udp://[::1]:9000", "unix:/run/x.sock"})
    void aTargetPrintsAsItIsWritten(String text) {
        assertThat(Target.parse(text)).hasToString(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:9000         | expected tcp://HOST:PORT",
        "http://127.0.0.1:9000  | unknown scheme 'http'",
        "tcp://127.0.0.1        | missing port",
        "tcp://127.0.0.1:       | missing port",
        "tcp://:9000            | missing host",
        "tcp://127.0.0.1:0      | out of range",
        "tcp://127.0.0.1:65536  | out of range",
        "tcp://127.0.0.1:x1     | not a number",
        "tcp://::1:9000         | in brackets",
        "tcp://[::1             | missing ']'",
        "tcp://[nope]:9000      | not an IPv6 address",
        "unix:                  | empty unix socket path"})
    void aMalformedTargetIsRefusedWithAReason(String text, String reason) {
        assertThatThrownBy(() -> Target.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://127.0.0.1:9000", "tcp://127.1.2.3:9000", "udp://[::1]:9000", "tcp://localhost:9000", "unix:/tmp/x.sock"})
    void loopbackTargetsAreLocal(String text) throws Exception {
        assertThat(Target.parse(text).isLoopback()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp://192.0.2.1:9000", "udp://10.0.0.1:9000", "tcp://[2001:db8::1]:9000", "tcp://0.0.0.0:9000"})
    void otherAddressesAreNot(String text) throws Exception {
        assertThat(Target.parse(text).isLoopback()).isFalse();
    }

    @Test
    void aRemoteTargetIsRefusedUnlessAllowed() {
        var remote = LoadOptions.defaults(Target.parse("tcp://192.0.2.1:9000"));
        var allowed = new LoadOptions(remote.target(), 1, 64, 1, remote.duration(), remote.warmup(), true,
                remote.idleHold(), 1, false);

        assertThatThrownBy(() -> LoadGenerator.checkTarget(remote))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address").hasMessageContaining("--allow-remote");
        assertThatCode(() -> LoadGenerator.checkTarget(allowed)).doesNotThrowAnyException();
        assertThatCode(() -> LoadGenerator.checkTarget(LoadOptions.defaults(Target.parse("tcp://127.0.0.1:9000"))))
                .doesNotThrowAnyException();
    }

    @Test
    void optionsOutOfRangeAreRefused() {
        var target = Target.parse("tcp://127.0.0.1:9000");
        var d = LoadOptions.defaults(target);
        assertThatThrownBy(() -> d.withConnections(0)).hasMessageContaining("connections must be from 1 to 20000");
        assertThatThrownBy(() -> d.withConnections(20_001)).hasMessageContaining("connections");
        assertThatThrownBy(() -> d.withPipeline(0)).hasMessageContaining("pipeline");
        assertThatThrownBy(() -> d.withSize(0)).hasMessageContaining("size");
        assertThatThrownBy(() -> LoadOptions.defaults(Target.parse("udp://127.0.0.1:9000")).withSize(4))
                .hasMessageContaining("size over UDP must be from 8");
        assertThatThrownBy(() -> d.withTiming(java.time.Duration.ZERO, java.time.Duration.ZERO))
                .hasMessageContaining("duration must be positive");
    }
}
