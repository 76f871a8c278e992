package dev.socketserver.junit;

import dev.socketserver.Connection;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.Datagram;
import dev.socketserver.DatagramHandler;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.DatagramTransport;
import dev.socketserver.async.Protocol;
import dev.socketserver.async.Transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Scripted replies: a handler that answers what clients send by rules, for testing a client
 * against a server that says exactly what the test wants, misbehaviour included.
 *
 * {@snippet :
 * @RegisterExtension
 * static TestServer server = TestServer.tcp(Script.create()
 *         .greet("+OK ready\r\n")
 *         .when("PING\r\n").reply("+PONG\r\n")
 *         .when("QUIT\r\n").close()
 *         .when("SLOW\r\n").stall());
 * }
 *
 * <p>On a stream the bytes a client sends are matched as they arrive, wherever reads split
 * them: when a rule's bytes have arrived, everything up to the end of them is consumed and the
 * rule acts. When several rules match, the one whose bytes end first acts; bytes that match no
 * rule wait for more. The actions are {@link When#reply reply} (send bytes), {@link When#close
 * close} (close the connection once what was sent before is written), and {@link When#stall
 * stall} (send nothing more and keep the connection open, reading and dropping what arrives,
 * until the client or the server closes it: what a client's read timeout is for). On a datagram
 * server each datagram is matched on its own; a reply goes back to its sender, and {@code close}
 * and {@code stall} send nothing.
 *
 * <p>A script is a {@link ConnectionHandler} and a {@link DatagramHandler}, so it serves on any
 * blocking server, kit or not ({@code new TcpServer(address, script)}); {@link #protocol()} and
 * {@link #datagramProtocol()} serve it on the event loop. Write the rules before the server starts.
 */
public final class Script implements ConnectionHandler, DatagramHandler {
    private final List<Rule> rules = new ArrayList<>();
    private byte[] greeting = new byte[0];

    private Script() {
    }

    /** A script with no rules: it reads what clients send and answers nothing. */
    public static Script create() {
        return new Script();
    }

    /** Sends {@code text} (UTF-8) to each client as soon as it connects (streams). */
    public Script greet(String text) {
        return greet(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code bytes} to each client as soon as it connects (streams). */
    public Script greet(byte[] bytes) {
        greeting = bytes.clone();
        return this;
    }

    /** A rule for when a client sends {@code text} (UTF-8); say what to do with the {@link When} it returns. */
    public When when(String text) {
        return when(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A rule for when a client sends {@code bytes}; say what to do with the {@link When} it returns. */
    public When when(byte[] bytes) {
        if (Objects.requireNonNull(bytes, "bytes").length == 0) {
            throw new IllegalArgumentException("a rule needs at least one byte to match");
        }
        return new When(bytes.clone());
    }

    /** What to do when a rule's bytes arrive. Each method adds the rule to the script and returns the script. */
    public final class When {
        private final byte[] trigger;

        private When(byte[] trigger) {
            this.trigger = trigger;
        }

        /** Answers with {@code text}, UTF-8. */
        public Script reply(String text) {
            return reply(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Answers with {@code bytes}. */
        public Script reply(byte[] bytes) {
            return add(new Rule(trigger, Action.REPLY, bytes.clone()));
        }

        /** Closes the connection, once the replies before are written (a datagram gets no answer). */
        public Script close() {
            return add(new Rule(trigger, Action.CLOSE, null));
        }

        /** Answers nothing more and keeps the connection open until the client or the server closes it (a datagram gets no answer). */
        public Script stall() {
            return add(new Rule(trigger, Action.STALL, null));
        }
    }

    private Script add(Rule rule) {
        rules.add(rule);
        return this;
    }

    /** Serves one blocking connection by the script. */
    @Override
    public void handle(Connection connection) throws IOException {
        OutputStream out = connection.out();
        if (greeting.length > 0) {
            out.write(greeting);
        }
        ScriptRun run = new ScriptRun(rules);
        InputStream in = connection.in();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (Rule rule : run.feed(buffer, n)) {
                switch (rule.action()) {
                    case REPLY -> out.write(rule.reply());
                    case CLOSE -> {
                        return;
                    }
                    case STALL -> {
                        stall(in);
                        return;
                    }
                }
            }
        }
    }

    private static void stall(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException closed) {
            // the server closed the connection under us: the stall is over
        }
    }

    /** Answers one datagram by the script. */
    @Override
    public void handle(Datagram datagram) throws IOException {
        byte[] data = datagram.data();
        for (Rule rule : new ScriptRun(rules).feed(data, data.length)) {
            if (rule.action() != Action.REPLY) {
                return;
            }
            datagram.reply(rule.reply());
        }
    }

    /** A protocol that serves one event-loop connection by the script: pass {@code script::protocol} as the factory. */
    public Protocol protocol() {
        List<Rule> fixed = List.copyOf(rules);
        byte[] hello = greeting;
        return new Protocol() {
            private final ScriptRun run = new ScriptRun(fixed);
            private Transport transport;
            private boolean stalled;

            @Override
            public void connectionMade(Transport t) {
                transport = t;
                if (hello.length > 0) {
                    t.write(hello);
                }
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                if (stalled) {
                    return;
                }
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                for (Rule rule : run.feed(bytes, bytes.length)) {
                    switch (rule.action()) {
                        case REPLY -> transport.write(rule.reply());
                        case CLOSE -> transport.close();
                        case STALL -> stalled = true;
                    }
                }
            }

            @Override
            public boolean eofReceived() {
                return false;
            }
        };
    }

    /** A datagram protocol that answers each datagram by the script, on the event loop. */
    public DatagramProtocol datagramProtocol() {
        List<Rule> fixed = List.copyOf(rules);
        return new DatagramProtocol() {
            private DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport t) {
                transport = t;
            }

            @Override
            public void datagramReceived(ByteBuffer data, SocketAddress sender) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                for (Rule rule : new ScriptRun(fixed).feed(bytes, bytes.length)) {
                    if (rule.action() != Action.REPLY) {
                        return;
                    }
                    transport.send(ByteBuffer.wrap(rule.reply()), sender);
                }
            }
        };
    }

    enum Action { REPLY, CLOSE, STALL }

    record Rule(byte[] trigger, Action action, byte[] reply) {
    }
}
