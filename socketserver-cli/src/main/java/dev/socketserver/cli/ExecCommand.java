package dev.socketserver.cli;

import dev.socketserver.Concurrency;
import dev.socketserver.Server;
import dev.socketserver.StopSignals;
import dev.socketserver.TcpServer;
import dev.socketserver.UnixStreamServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code socketserver exec -- PROGRAM [ARGS...]}: a {@code tcpserver} you can drop in. Each
 * connection runs PROGRAM with the socket as its standard input and output, and the ucspi-tcp
 * environment ({@code PROTO}, {@code TCPREMOTEIP}, ...). Each program inherits the command's whole
 * environment unless {@code --env-clear} is given; {@code --env NAME=VALUE} adds variables.
 */
@Command(name = "exec",
        description = "Runs PROGRAM for each connection, with the socket as its stdin and stdout "
                + "(tcpserver, inetd). Example: socketserver exec --listen tcp://127.0.0.1:7000 -- cat")
final class ExecCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "ADDRESS", defaultValue = "tcp://127.0.0.1:9000",
            description = "Where to listen: tcp://HOST:PORT or unix:PATH. Default: ${DEFAULT-VALUE}.")
    ListenAddress listen;

    @Option(names = "--max-children", paramLabel = "N", defaultValue = "40",
            description = "Run at most N programs at once; further clients wait in the backlog. Default: ${DEFAULT-VALUE}.")
    int maxChildren;

    @Option(names = "--drain", paramLabel = "DURATION", defaultValue = "5s",
            description = "On SIGTERM or SIGINT, children get SIGTERM, and SIGKILL after this long. Default: ${DEFAULT-VALUE}.")
    Duration drain;

    @Option(names = "--env-clear",
            description = "Start each program with an empty environment, plus the ucspi variables (PROTO, TCPREMOTEIP, ...) "
                    + "and those given with --env. Without it, each program inherits this command's whole environment, "
                    + "secrets included, as with tcpserver.")
    boolean envClear;

    @Option(names = "--env", paramLabel = "NAME=VALUE",
            description = "Set NAME to VALUE in each program's environment; repeatable. "
                    + "With --env-clear, pass PATH this way if the program needs one.")
    List<String> env = new ArrayList<>();

    @Parameters(paramLabel = "PROGRAM", arity = "1..*", description = "The program and its arguments, after --.")
    List<String> command;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (maxChildren < 1) {
            throw new ParameterException(spec.commandLine(), "--max-children must be at least 1");
        }
        Concurrency children = Concurrency.processPerConnection(command, maxChildren, childEnvironment());
        ListenAddress listen = this.listen.resolved();
        Server server = switch (listen) {
            case ListenAddress.Tcp(String host, int port) -> {
                var address = new InetSocketAddress(host, port);
                if (address.isUnresolved()) {
                    throw new UnknownHostException(listen + ": unknown host '" + host + "'");
                }
                yield new TcpServer(address, ExecCommand::notUsed, children);
            }
            case ListenAddress.Unix(var unixAddress) -> {
                yield new UnixStreamServer(unixAddress, ExecCommand::notUsed, children, dev.socketserver.ServerOptions.defaults());
            }
            default -> throw new ParameterException(spec.commandLine(), "exec serves streams: tcp://HOST:PORT or unix:PATH, not " + listen);
        };
        StopSignals signals = StopSignals.install();
        System.out.println("listening on " + server.serverUri());
        System.out.flush();
        return ServerSession.serveUntilStopped(server, drain, signals, System.err);
    }

    /** The base environment of every program: null inherits this command's. */
    private Map<String, String> childEnvironment() {
        if (!envClear && env.isEmpty()) {
            return null;
        }
        Map<String, String> base = new LinkedHashMap<>(envClear ? Map.of() : System.getenv());
        for (String assignment : env) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new ParameterException(spec.commandLine(), "--env takes NAME=VALUE, got '" + assignment + "'");
            }
            base.put(assignment.substring(0, equals), assignment.substring(equals + 1));
        }
        return base;
    }

    private static void notUsed(dev.socketserver.Connection connection) {
        throw new IllegalStateException("the program serves each connection");
    }
}
