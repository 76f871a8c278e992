package dev.socketserver.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code socketserver redis} as a process: RESP on its socket in both families, and the addresses and models it refuses. */
@Timeout(60)
class RedisCommandTest {

    @ParameterizedTest
    @ValueSource(strings = {"virtual", "async", "threads"})
    void answersRespInEveryFamily(String mode) throws Exception {
        try (var cli = CliProcess.start("redis", "--listen", "tcp://127.0.0.1:0", "--concurrency", mode);
             var client = Clients.connect(cli.awaitInetAddress())) {
            Clients.send(client, "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\n*2\r\n$3\r\nGET\r\n$5\r\nhello\r\nINCR n\r\n");
            String expected = "+OK\r\n$5\r\nworld\r\n:1\r\n";
            assertThat(Clients.read(client, expected.length())).isEqualTo(expected);
            cli.sigterm();
            assertThat(cli.awaitExit()).isZero();
        }
    }

    @Test
    void listensOnRedisPortByDefault() throws Exception {
        var help = CliProcess.run("redis", "--help");
        assertThat(String.join("\n", help.stdout())).contains("Default: tcp://127.0.0.1:6379");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            redis --listen udp://127.0.0.1:0                               | socketserver: socketserver redis serves stream addresses (tcp://, unix:), not udp://127.0.0.1:0
            redis --listen tcp://127.0.0.1:0 --concurrency workers:2       | socketserver: the Redis server keeps its data in this JVM's memory, which workers:2 (other processes) cannot share
            """)
    void refusesDatagramsAndProcessModelsWithOneLine(String arguments, String message) throws Exception {
        var result = CliProcess.run(arguments.split(" "));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).hasSize(2);
        assertThat(result.stderr().getFirst()).startsWith(message);
        assertThat(result.stderr().get(1)).isEqualTo("try 'socketserver redis --help'");
    }
}
