package dev.socketserver.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class BadArgumentsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            echo --listen http://127.0.0.1:9000    | socketserver: invalid --listen 'http://127.0.0.1:9000': unknown scheme 'http'
            echo --listen tcp://127.0.0.1          | socketserver: invalid --listen 'tcp://127.0.0.1': missing port
            greet --concurrency fast               | socketserver: invalid --concurrency 'fast': expected sync, threads, virtual, bounded:N, workers:N, async or async:N
            echo --drain 5x                        | socketserver: invalid --drain '5x': expected a duration such as 500ms, 5s, 1m or 0
            echo --bogus                           | socketserver: Unknown option: '--bogus'
            frobnicate                             | socketserver: Unmatched argument at index 0: 'frobnicate'
            ''                                     | socketserver: missing command: echo or greet
            """)
    void exitTwoWithOneLineNamingTheProblem(String arguments, String message) throws Exception {
        var result = CliProcess.run(arguments.isEmpty() ? new String[0] : arguments.split(" "));

        assertThat(result.status()).isEqualTo(2);
        assertThat(result.stdout()).isEmpty();
        assertThat(result.stderr()).hasSize(2);
        assertThat(result.stderr().getFirst()).startsWith(message);
        assertThat(result.stderr().get(1)).matches("try 'socketserver( echo| greet)? --help'");
    }
}
