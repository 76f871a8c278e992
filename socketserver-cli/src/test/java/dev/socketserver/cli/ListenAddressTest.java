package dev.socketserver.cli;

import dev.socketserver.UnixAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class ListenAddressTest {

    @Test
    void parsesTcpWithIpv4Host() {
        assertThat(ListenAddress.parse("tcp://127.0.0.1:9000")).isEqualTo(new ListenAddress.Tcp("127.0.0.1", 9000));
    }

    @Test
    void parsesUdpWithHostName() {
        assertThat(ListenAddress.parse("udp://localhost:0")).isEqualTo(new ListenAddress.Udp("localhost", 0));
    }

    @Test
    void parsesBracketedIpv6WithoutTheBrackets() {
        assertThat(ListenAddress.parse("tcp://[::1]:9000")).isEqualTo(new ListenAddress.Tcp("::1", 9000));
        assertThat(ListenAddress.parse("udp://[::]:65535")).isEqualTo(new ListenAddress.Udp("::", 65535));
    }

    @Test
    void parsesUnixPath() {
        assertThat(ListenAddress.parse("unix:/tmp/echo.sock")).isEqualTo(new ListenAddress.Unix(Path.of("/tmp/echo.sock")));
        assertThat(ListenAddress.parse("unix:relative.sock")).isEqualTo(new ListenAddress.Unix(Path.of("relative.sock")));
        assertThat(ListenAddress.parse("unix:@echo")).isEqualTo(new ListenAddress.Unix(dev.socketserver.UnixAddress.ofAbstract("echo")));
        assertThat(ListenAddress.parse("unix:@echo")).hasToString("unix:@echo");
        assertThat(ListenAddress.parse("unixgram:/tmp/e.sock")).isEqualTo(new ListenAddress.Unixgram(UnixAddress.of(Path.of("/tmp/e.sock"))));
        assertThat(ListenAddress.parse("unixgram:@echo")).isEqualTo(new ListenAddress.Unixgram(UnixAddress.ofAbstract("echo")));
    }

    @Test
    void parsesSystemdWithOrWithoutAName() {
        assertThat(ListenAddress.parse("systemd:")).isEqualTo(new ListenAddress.Systemd(null));
        assertThat(ListenAddress.parse("systemd:web")).isEqualTo(new ListenAddress.Systemd("web"));
        assertThat(ListenAddress.parse("stdin:")).isEqualTo(new ListenAddress.OneConnection("stdin:"));
    }

    @Test
    void writesAddressesBackAsParsed() {
        for (String text : new String[] {"tcp://127.0.0.1:9000", "udp://[::1]:5000", "unix:/tmp/x.sock", "systemd:", "systemd:web", "stdin:"}) {
            assertThat(ListenAddress.parse(text)).hasToString(text);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            foo                   | expected tcp://HOST:PORT, udp://HOST:PORT, unix:PATH, unixgram:PATH, systemd:[NAME] or stdin:
            http://127.0.0.1:80   | unknown scheme 'http': expected tcp://HOST:PORT, udp://HOST:PORT, unix:PATH, unixgram:PATH, systemd:[NAME] or stdin:
            TCP://127.0.0.1:80    | unknown scheme 'TCP'
            127.0.0.1:9000        | expected tcp://HOST:PORT
            tcp://127.0.0.1       | missing port, as in tcp://127.0.0.1:9000
            udp://127.0.0.1:      | missing port, as in udp://127.0.0.1:9000
            tcp://[::1]           | missing port
            tcp://127.0.0.1:65536 | port 65536 is out of range 0-65535
            tcp://127.0.0.1:99999999999 | port 99999999999 is out of range 0-65535
            tcp://127.0.0.1:-1    | port '-1' is not a number
            tcp://127.0.0.1:http  | port 'http' is not a number
            tcp://::1:9000        | an IPv6 address goes in brackets, as in tcp://[::1]:9000
            udp://fe80::1:53      | an IPv6 address goes in brackets, as in udp://[::1]:9000
            tcp://[::1:9000       | missing ']'
            tcp://[localhost]:80  | 'localhost' in brackets is not an IPv6 address
            tcp://:9000           | missing host
            unix:                 | empty unix socket path
            unix:@                | empty abstract name, expected unix:@NAME
            unixgram:@            | empty abstract name
            unixgram:             | empty unix socket path
            """)
    void refusesWithAMessageThatNamesTheProblem(String text, String message) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ListenAddress.parse(text))
                .withMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
