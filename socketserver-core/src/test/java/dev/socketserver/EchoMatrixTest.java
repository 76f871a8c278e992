package dev.socketserver;

import dev.socketserver.TestServers.Serving;
import dev.socketserver.TestServers.Transport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.NetworkChannel;
import java.nio.file.Path;

import static dev.socketserver.TestServers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** §5 row 1: the run_server matrix. Every transport with every model echoes, then stops and closes its socket. */
@Timeout(30)
class EchoMatrixTest {
    @TempDir(factory = ShortTempDir.class)
    Path dir;

    @DisplayName("row 1: three sequential clients are each echoed exactly; shutdown and close release the socket")
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.socketserver.TestServers#transportsAndModels")
    void threeSequentialClientsAreEchoedAndCloseReleasesTheSocket(Transport transport, ThreadModel concurrency) throws Exception {
        BaseServer<?> server = transport.newServer(ReferenceHandlers.ECHOLINE, concurrency, dir);
        try (Serving<?> serving = TestServers.serve(server)) {
            for (int i = 0; i < 3; i++) {
                // a stream client's receive() reads to EOF, so this also checks that the server closed the connection
                assertThat(TestServers.exchange(transport, server.serverAddress(), "hello world\n")).isEqualTo("hello world\n");
            }

            server.shutdown();
            serving.awaitNormalEnd(DEADLINE);
            server.close();

            NetworkChannel channel = server instanceof StreamServer s ? s.channel() : ((UdpServer) server).channel();
            assertThat(channel.isOpen()).isFalse();
            if (transport.isStream()) {
                assertThatThrownBy(() -> StreamClient.connect(server.serverAddress()))
                        .isInstanceOfAny(ConnectException.class, SocketException.class);
            }
            if (transport == Transport.UNIX) {
                assertThat(((UnixStreamServer) server).path()).doesNotExist();
            }
        }
    }
}
