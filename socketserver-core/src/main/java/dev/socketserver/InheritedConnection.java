package dev.socketserver;

import dev.socketserver.internal.Addresses;
import dev.socketserver.internal.ChannelConnection;
import dev.socketserver.internal.ServerCounters;
import dev.socketserver.internal.linux.InheritedSockets;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs a Java handler in a child process of {@link Concurrency#processPerConnection}: the child's
 * {@code main} calls {@link #serve}, which takes the connection from standard input (where the
 * server put the socket) and runs the handler on it exactly as a server would in-process, with the
 * real peer address. {@link #javaCommand} builds the command that starts such a {@code main} with
 * this JDK and class path.
 *
 * {@snippet :
 * // the server
 * new TcpServer(address, conn -> { }, Concurrency.processPerConnection(InheritedConnection.javaCommand(Child.class)));
 * // the child
 * public static void main(String[] args) { InheritedConnection.serve(Handler::new); }
 * }
 *
 * <p>The same serves a connection that something else accepted: inetd (the connection on standard
 * input), or systemd with {@code Accept=yes} (the connection as descriptor 3, see
 * {@link SystemdSocket#passedConnection()}).
 *
 * <p>As in Python's {@code ForkingMixIn}, the process exits with status 0 when the handler
 * returns and 1 when it throws, after printing Python's error block to standard error. In the
 * child {@link BaseRequestHandler#server()} is {@code null}: the server lives in another process.
 */
public final class InheritedConnection {
    private InheritedConnection() {
    }

    /** Serves the connection on standard input with a new handler from {@code handlers}, then exits. */
    public static void serve(Supplier<? extends BaseRequestHandler<Connection>> handlers) {
        System.exit(serveOnce(handlers, System.err));
    }

    /** Serves the connection on standard input with {@code handler}, then exits. */
    public static void serve(ConnectionHandler handler) {
        serve(FunctionHandlers.of(handler));
    }

    /**
     * Serves the one connection this process was given, with {@code handler}, and returns the
     * status {@link #serve} would exit with (0 served, 1 the handler threw, 2 no connection), for a
     * program that ends in its own way. The connection is standard input (inetd, or a server's
     * process per connection), or the connected socket systemd passed ({@code Accept=yes}, see
     * {@link SystemdSocket#passedConnection()}).
     */
    public static int serveOne(ConnectionHandler handler) {
        return serveOnce(FunctionHandlers.of(handler), System.err);
    }

    static int serveOnce(Supplier<? extends BaseRequestHandler<Connection>> handlers, PrintStream err) {
        Connection connection;
        try {
            InheritedSockets.connectionOnStandardInput();   // systemd's Accept=yes passes it as descriptor 3
            Channel inherited = System.inheritedChannel();
            if (!(inherited instanceof SocketChannel socket)) {
                err.println("socketserver: standard input is not a connected socket (got " + inherited
                        + "), and systemd passed no connection; run this program through Concurrency.processPerConnection, "
                        + "socketserver exec, inetd, or a socket unit with Accept=yes");
                return 2;
            }
            connection = ChannelConnection.accepted(socket, new ServerCounters());
        } catch (IOException e) {
            err.println("socketserver: cannot take the inherited connection: " + e);
            return 2;
        }
        try {
            handlers.get().run(connection, connection.clientAddress(), null);
            return 0;
        } catch (Exception e) {
            err.println("-".repeat(40));
            err.println("Exception occurred during processing of request from " + Addresses.format(connection.clientAddress()));
            e.printStackTrace(err);
            err.println("-".repeat(40));
            return 1;
        } finally {
            try {
                connection.shutdownOutput();
            } catch (IOException e) {
                // the client is gone
            }
            connection.close();
        }
    }

    /**
     * The command that runs {@code mainClass} with this JVM's {@code java}, class path (or module
     * path) and native access, followed by {@code args}.
     */
    public static List<String> javaCommand(Class<?> mainClass, String... args) {
        Objects.requireNonNull(mainClass, "mainClass");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        String modulePath = System.getProperty("jdk.module.path");
        if (mainClass.getModule().isNamed() && modulePath != null) {
            command.add("-p");
            command.add(modulePath);
            command.add("-m");
            command.add(mainClass.getModule().getName() + "/" + mainClass.getName());
        } else {
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
        }
        command.addAll(List.of(args));
        return command;
    }
}
