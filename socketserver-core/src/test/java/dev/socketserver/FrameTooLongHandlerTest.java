package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A blocking handler that lets {@link FrameTooLongException} escape: its connection ends, and the
 * server goes on serving other clients. The peer broke a limit; the handler did nothing wrong, so
 * the server logs one line at {@code DEBUG} with the client's address and the limit, and does not
 * count a handler error, as the event loop does for {@code FrameProtocol.frameTooLong}.
 */
@Timeout(30)
class FrameTooLongHandlerTest {
    private static final ConnectionHandler ECHO_ONE_SHORT_LINE =
            conn -> conn.out().write(("echo " + conn.readLine(10) + "\n").getBytes(StandardCharsets.UTF_8));

    @Test
    void theConnectionEndsAndTheServerServesTheNextClient() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ECHO_ONE_SHORT_LINE, Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             LogCapture _ = new LogCapture()) {
            assertThat(send(server.serverAddress(), "0123456789a")).isEmpty();
            assertThat(send(server.serverAddress(), "hi\n")).isEqualTo("echo hi\n");
            TestServers.await(TestServers.DEADLINE, "both connections closed", () -> server.activeRequests() == 0);
        }
    }

    @Test
    void itIsLoggedAsOneDebugLineWithTheClientAndTheLimitAndIsNotAHandlerError() throws Exception {
        try (var server = new TcpServer(TestServers.loopback(), ECHO_ONE_SHORT_LINE, Concurrency.threads());
             Serving<?> _ = TestServers.serve(server);
             LogCapture log = LogCapture.includingDebug();
             Socket client = new Socket()) {
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write("0123456789a".getBytes(StandardCharsets.US_ASCII));
            assertThat(readAll(client)).isEmpty();
            TestServers.await(TestServers.DEADLINE, "the connection closed", () -> server.activeRequests() == 0);
            assertThat(log.errorBlocks()).isEmpty();
            assertThat(log.entries()).filteredOn(e -> e.logger().equals("dev.socketserver.request")).singleElement().satisfies(e -> {
                assertThat(e.level()).isEqualTo("FINE");   // DEBUG
                assertThat(e.message()).contains("127.0.0.1:" + client.getLocalPort()).contains("line longer than 10 bytes");
                assertThat(e.thrown()).isNull();
            });
            assertThat(server.stats().handlerErrors()).isZero();
        }
    }

    /** Sends {@code text}, then reads until the server ends the connection; "" if it reset it. */
    private static String send(SocketAddress server, String text) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(server, 5_000);
            client.setSoTimeout(5_000);
            client.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            return readAll(client);
        }
    }

    private static String readAll(Socket client) throws IOException {
        try {
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "";
        }
    }
}
