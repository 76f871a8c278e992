package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.socketserver.LogCapture.DASHES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * §5 rows 15 and 10: an ordinary exception from a handler is logged as Python's block (40 dashes,
 * {@code Exception occurred during processing of request from <address>}, 40 dashes) with the
 * exception attached to the record for the log handler to print its stack trace, the client's
 * connection is closed, and the server keeps serving.
 */
@Timeout(30)
class HandlerErrorLogTest {

    /** RAISE for the first request, ECHOLINE for every later one. */
    private static final class RaiseFirstThenEcho extends StreamRequestHandler {
        private final AtomicInteger requests;

        RaiseFirstThenEcho(AtomicInteger requests) {
            this.requests = requests;
        }

        @Override
        protected void handle() throws Exception {
            if (requests.getAndIncrement() == 0) {
                throw new ReferenceHandlers.HandlerFailure("RAISE failed on purpose");
            }
            wfile().write(ReferenceHandlers.readLine(rfile()));
        }
    }

    @DisplayName("row 15: RAISE closes the client's connection, logs Python's block once, and the next client is echoed")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void raisingHandlerIsLoggedAsPythonsBlockAndTheServerKeepsServing(Concurrency concurrency) throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), () -> new RaiseFirstThenEcho(requests), concurrency);
             Serving<?> _ = TestServers.serve(server)) {
            int clientPort;
            try (var first = StreamClient.connect(server.serverAddress())) {
                clientPort = ((InetSocketAddress) first.localAddress()).getPort();
                assertThat(first.readToEof()).isEmpty();
            }

            List<LogCapture.Entry> blocks = log.errorBlockEntries();
            assertThat(blocks).hasSize(1);
            assertThat(blocks.getFirst().message().lines()).containsExactly(
                    DASHES, "Exception occurred during processing of request from 127.0.0.1:" + clientPort, DASHES);
            assertThat(blocks.getFirst().thrown()).as("the exception, attached for the log handler to print")
                    .isInstanceOf(ReferenceHandlers.HandlerFailure.class).hasMessage("RAISE failed on purpose");
            assertThat(blocks.getFirst().level()).isEqualTo("WARNING");
            assertThat(blocks.getFirst().logger()).isEqualTo(dev.socketserver.internal.Loggers.REQUEST);

            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "x\n")).isEqualTo("x\n");
            assertThat(log.errorBlocks()).hasSize(1);
        }
    }

    @DisplayName("row 10: UDP WRITE_THEN_RAISE still sends what was written, logs one block, and keeps serving")
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.socketserver.TestServers#allModels")
    void datagramHandlerThatWritesThenRaisesStillRepliesAndIsLogged(ThreadModel concurrency) throws Exception {
        class RaiseOnRequest extends DatagramRequestHandler {
            @Override
            protected void handle() throws Exception {
                if (new String(packet(), StandardCharsets.UTF_8).equals("raise")) {
                    wfile().write("partial".getBytes(StandardCharsets.UTF_8));
                    throw new ReferenceHandlers.HandlerFailure("WRITE_THEN_RAISE failed on purpose");
                }
                rfile().transferTo(wfile());
            }
        }
        try (var log = new LogCapture();
             var server = new UdpServer(TestServers.loopback(), RaiseOnRequest::new, concurrency);
             Serving<?> _ = TestServers.serve(server);
             var client = new UdpClient(server.serverAddress())) {
            client.send("raise");
            assertThat(client.receive()).isEqualTo("partial");
            // the reply is sent by finish(), before the error reaches handleError: wait for the block
            TestServers.await(TestServers.DEADLINE, "one error block is logged", () -> log.errorBlocks().size() == 1);
            LogCapture.Entry block = log.errorBlockEntries().getFirst();
            assertThat(block.message().lines().toList().get(1))
                    .isEqualTo("Exception occurred during processing of request from 127.0.0.1:" + client.localPort());
            assertThat(block.thrown()).hasMessage("WRITE_THEN_RAISE failed on purpose");

            client.send("ping");
            assertThat(client.receive()).isEqualTo("ping");
            assertThat(log.errorBlocks()).hasSize(1);
        }
    }

    @Test
    @DisplayName("§2.3: a client that resets its connection reaches handleError, is no error block, and the server keeps serving")
    void clientThatResetsIsNotLoggedAsAnErrorAndTheServerKeepsServing() throws Exception {
        try (var log = new LogCapture();
             var server = new TcpServer(TestServers.loopback(), ReferenceHandlers.ECHOLINE.stream(), Concurrency.synchronous());
             Serving<?> _ = TestServers.serve(server)) {
            try (var resetting = new Socket()) {
                resetting.setSoTimeout((int) TestServers.DEADLINE.toMillis());
                resetting.connect(server.serverAddress());
                resetting.getOutputStream().write("no newline".getBytes(StandardCharsets.UTF_8));
                resetting.setSoLinger(true, 0);   // close() sends a reset
            }
            assertThat(TestServers.exchange(Transport.TCP, server.serverAddress(), "next\n")).isEqualTo("next\n");
            TestServers.await(TestServers.DEADLINE, "the reset to reach handleError", () -> server.stats().handlerErrors() == 1);
            assertThat(log.errorBlocks()).isEmpty();   // Python prints a block; a peer's reset is not the server's error
        }
    }
}
