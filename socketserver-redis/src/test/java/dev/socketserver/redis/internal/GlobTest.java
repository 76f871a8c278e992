package dev.socketserver.redis.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class GlobTest {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "*|anything|true",
            "*|''|true",
            "h?llo|hello|true",
            "h?llo|hllo|false",
            "h*llo|hllo|true",
            "h*llo|heeeello|true",
            "h*llo|heeeellox|false",
            "h[ae]llo|hallo|true",
            "h[ae]llo|hillo|false",
            "h[^e]llo|hallo|true",
            "h[^e]llo|hello|false",
            "h[a-b]llo|hbllo|true",
            "h[a-b]llo|hcllo|false",
            "h[b-a]llo|hallo|true",
            "h\\*llo|h*llo|true",
            "h\\*llo|hello|false",
            "key:*:name|key:42:name|true",
            "key:*:name|key:42:age|false",
            "*a*b*|xxaxxbxx|true",
            "*a*b*|xxbxxaxx|false",
            "a[bc|ab|true",
            "user:??|user:42|true",
            "user:??|user:420|false",
    })
    void matchesAsRedisDoes(String pattern, String text, boolean expected) {
        assertThat(Glob.matches(pattern.getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
    }
}
