package dev.socketserver.contract;

import dev.socketserver.ServerOptions;
import dev.socketserver.TestCertificates;
import dev.socketserver.TlsOptions;
import dev.socketserver.contract.Family.Handler;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that pipelines: 100,000 small requests sent in one burst, the replies read only after
 * the burst. Every reply arrives, in order, in both families, plain and over TLS: the server's
 * bound on what it buffers for a connection holds replies back (the blocking handler in its write,
 * the event loop by not reading while its replies are backed up), and loses none.
 */
class PipelinedRequestsContractTest {
    private static final int REQUESTS = 100_000;

    static Stream<Arguments> families() {
        return Stream.of(Family.values()).flatMap(family -> Stream.of(Arguments.of(family, false), Arguments.of(family, true)));
    }

    @ParameterizedTest(name = "{0}, tls={1}")
    @MethodSource("families")
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aHundredThousandRequestsInOneBurstAreAllAnsweredInOrder(Family family, boolean tls) throws Exception {
        ServerOptions options = tls
                ? ServerOptions.builder().tls(TlsOptions.of(TestCertificates.serverContext())).build()
                : ServerOptions.defaults();
        try (var server = family.tcp(Handler.OK_PER_LINE, options)) {
            server.start();
            try (Socket client = tls
                    ? Clients.tls(server.address(), TestCertificates.clientContext(false), "localhost")
                    : Clients.connect(server.address(), null)) {
                client.setSoTimeout(30_000);
                StringBuilder burst = new StringBuilder();
                for (int i = 0; i < REQUESTS; i++) {
                    burst.append(i).append('\n');
                }
                OutputStream out = client.getOutputStream();
                out.write(burst.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();

                BufferedReader replies = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                for (int i = 0; i < REQUESTS; i++) {
                    String reply = replies.readLine();
                    if (!Family.okReply(Integer.toString(i)).equals(reply + "\n")) {
                        assertThat(reply).as("reply %d of %d", i, REQUESTS).isEqualTo(Family.okReply(Integer.toString(i)).strip());
                    }
                }
                if (!tls) {
                    assertThat(server.stats().bytesIn()).as("every request was read once").isEqualTo(burst.length());
                }
            }
        }
    }
}
