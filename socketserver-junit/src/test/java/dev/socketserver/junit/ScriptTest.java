package dev.socketserver.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Scripted replies on every kind: answer, close, stall; matched wherever reads split the bytes. */
@Timeout(60)
class ScriptTest {
    private static Script script() {
        return Script.create()
                .greet("+OK\r\n")
                .when("PING\r\n").reply("+PONG\r\n")
                .when("ECHO").reply("echoed")
                .when("QUIT\r\n").close()
                .when("WAIT\r\n").stall();
    }

    enum Kind {
        TCP, UNIX, ASYNC_TCP, ASYNC_UNIX;

        TestServer server() {
            Script script = script();
            return switch (this) {
                case TCP -> TestServer.tcp(script);
                case UNIX -> TestServer.unix(script);
                case ASYNC_TCP -> TestServer.asyncTcp(script::protocol);
                case ASYNC_UNIX -> TestServer.asyncUnix(script::protocol);
            };
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void repliesThenClosesWhenTold(Kind kind) throws Exception {
        try (TestServer server = kind.server().start()) {
            String answers = Clients.streamExchange(server.address(), "PING\r\nxxECHOyyPING\r\nQUIT\r\nPING\r\n");
            assertThat(answers).isEqualTo("+OK\r\n+PONG\r\nechoed+PONG\r\n");
            assertThat(server.takeRequest().awaitEnd().text()).startsWith("PING\r\nxxECHOyyPING\r\nQUIT\r\n");
        }
    }

    @Test
    void matchesBytesSplitAcrossWrites() throws Exception {
        try (TestServer server = Kind.TCP.server().start(); Socket socket = new Socket(server.host(), server.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("+OK\r\n");
            out.write("PI".getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitRecorded(server, 2);
            out.write("NG\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(in.readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("+PONG\r\n");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aStallAnswersNothingAndKeepsTheConnectionOpen(Kind kind) throws Exception {
        try (TestServer server = kind.server().start()) {
            RecordedRequest request;
            try (var channel = Clients.connect(server.address())) {
                channel.write(ByteBuffer.wrap("WAIT\r\nPING\r\n".getBytes(StandardCharsets.UTF_8)));
                ByteBuffer greeting = ByteBuffer.allocate(5);
                while (greeting.hasRemaining()) {
                    channel.read(greeting);
                }
                request = awaitRecorded(server, "WAIT\r\nPING\r\n".length());
                channel.configureBlocking(false);
                assertThat(channel.read(ByteBuffer.allocate(16))).as("no reply, no EOF: the connection stays open").isZero();
                assertThat(server.server().activeRequests()).isEqualTo(1);
            }
            request.awaitEnd();   // the client's close ends the stall
        }
    }

    @Test
    void aClientsReadTimeoutMeetsTheStall() throws Exception {
        try (TestServer server = Kind.TCP.server().start(); Socket socket = new Socket(server.host(), server.port())) {
            socket.setSoTimeout(200);
            socket.getOutputStream().write("WAIT\r\n".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("+OK\r\n");
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void datagramsAreMatchedOneByOne() throws Exception {
        Script script = Script.create().when("PING").reply("PONG").when("ECHO").reply("E1").when("ECHO").reply("E2");
        try (TestServer blocking = TestServer.udp(script).start(); TestServer eventLoop = TestServer.asyncUdp(script.datagramProtocol()).start()) {
            for (TestServer server : new TestServer[] {blocking, eventLoop}) {
                assertThat(Clients.datagramExchange(server.address(), "a PING b")).isEqualTo("PONG");
                assertThat(Clients.datagramExchange(server.address(), "ECHO")).as("the first rule that matches answers").isEqualTo("E1");
                assertThat(server.takeRequest().awaitEnd().text()).isEqualTo("a PING b");
            }
        }
    }

    @Test
    void aRuleNeedsBytes() {
        assertThatThrownBy(() -> Script.create().when("")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one byte");
    }

    private static RecordedRequest awaitRecorded(TestServer server, int bytes) {
        long deadline = System.nanoTime() + TestServer.DEFAULT_WAIT.toNanos();
        RecordedRequest request = server.takeRequest();
        while (request.size() < bytes) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the server did not receive " + bytes + " bytes: " + request);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return request;
    }
}
