package dev.socketserver.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each client sent, in order, whatever the handler read it with, and what it left unread. */
@Timeout(30)
class RecordedRequestsTest {
    @RegisterExtension
    final TestServer lines = TestServer.tcp(conn -> {
        String line;
        while ((line = conn.readLine(100)) != null) {
            conn.out().write((line.toUpperCase() + "\n").getBytes(StandardCharsets.UTF_8));
            if (line.equals("bye")) {
                return;   // leaves what follows unread
            }
        }
    });

    @Test
    void bytesAreRecordedInOrderAcrossWritesAndFrameReads() throws Exception {
        try (Socket socket = new Socket(lines.host(), lines.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("fir".getBytes(StandardCharsets.UTF_8));
            out.write("st\nsecond\n".getBytes(StandardCharsets.UTF_8));
            socket.shutdownOutput();
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("FIRST\nSECOND\n");
        }
        RecordedRequest request = lines.takeRequest().awaitEnd();
        assertThat(request.text()).isEqualTo("first\nsecond\n");
        assertThat(request.bytes()).hasSize(13);
        assertThat(request.isEnded()).isTrue();
        assertThat(request.toString()).contains("request 0 from /127.0.0.1:", "13 bytes, ended", "\"first\\nsecond\\n\"");
    }

    @Test
    void whatArrivedUnreadWhenTheHandlerReturnedIsRecordedToo() throws Exception {
        try (Socket socket = new Socket(lines.host(), lines.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write("bye\nunread tail".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("BYE\n");
        }
        assertThat(lines.takeRequest().awaitEnd().text()).startsWith("bye\n").isIn("bye\n", "bye\nunread tail");
    }

    @Test
    void eachConnectionIsARequestInOrderOfArrival() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(Clients.streamExchange(lines.address(), "c" + i + "\n")).isEqualTo("C" + i + "\n");
        }
        assertThat(lines.requests()).extracting(r -> r.awaitEnd().text()).containsExactly("c0\n", "c1\n", "c2\n");
        assertThat(lines.takeRequest().sequence()).isZero();
        assertThat(lines.takeRequest().sequence()).isOne();
    }

    @Test
    void anOpenConnectionIsReadableWhileOpenAndTakingFailsClearlyWhenNothingCame() throws Exception {
        try (Socket socket = new Socket(lines.host(), lines.port())) {
            socket.getOutputStream().write("open\n".getBytes(StandardCharsets.UTF_8));
            socket.setSoTimeout(5_000);
            socket.getInputStream().readNBytes(5);
            RecordedRequest request = lines.takeRequest();
            assertThat(request.text()).isEqualTo("open\n");
            assertThat(request.isEnded()).isFalse();
            assertThatThrownBy(() -> request.awaitEnd(Duration.ofMillis(50)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("did not end within 50 ms");
        }
        assertThatThrownBy(() -> lines.takeRequest(Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no request arrived within 50 ms (1 since the test began, all taken)");
    }
}
