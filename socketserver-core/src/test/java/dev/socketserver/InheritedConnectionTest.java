package dev.socketserver;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A Java StreamRequestHandler runs in a child JVM per connection and sees the real socket and peer. */
@Timeout(60)
class InheritedConnectionTest {

    /** The child's handler: says who the client is, then echoes one line in upper case. */
    static final class Shout extends StreamRequestHandler {
        @Override
        protected void handle() throws IOException {
            String line = connection().readLine();
            wfile().write(("from " + dev.socketserver.internal.Addresses.format(clientAddress()) + " pid "
                    + ProcessHandle.current().pid() + ": " + line.toUpperCase() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The child's main. */
    public static final class Child {
        public static void main(String[] args) {
            InheritedConnection.serve(Shout::new);
        }
    }

    @Test
    void aJavaHandlerInTheChildSeesTheRealPeer() throws Exception {
        var command = InheritedConnection.javaCommand(Child.class);
        try (var server = new TcpServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), conn -> { },
                Concurrency.processPerConnection(command, 4));
             Socket client = new Socket()) {
            Thread.ofPlatform().start(() -> EchoRoundTripTest.serve(server));
            client.connect(server.serverAddress(), 5_000);
            client.setSoTimeout(30_000);
            client.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            String reply = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String expectedPeer = "from 127.0.0.1:" + client.getLocalPort() + " pid ";
            assertThat(reply).startsWith(expectedPeer).endsWith(": HELLO\n");
            long childPid = Long.parseLong(reply.substring(expectedPeer.length(), reply.indexOf(':', expectedPeer.length())));
            assertThat(childPid).isNotEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void withoutASocketOnStdinItSaysWhatToDo() {
        var err = new java.io.ByteArrayOutputStream();
        int status = InheritedConnection.serveOnce(Shout::new, new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("standard input is not a connected socket");
    }
}
