package dev.socketserver.cli;

import dev.socketserver.loadgen.BenchCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code socketserver} command: it only chooses a subcommand. */
@Command(name = "socketserver",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = "Network servers as simple as Python's socketserver.",
        footer = {"", "The first line on standard output is 'listening on ADDRESS', with the real port.",
                "SIGTERM or SIGINT stops accepting, lets running requests finish, and exits 0."},
        subcommands = {EchoCommand.class, GreetCommand.class, ExecCommand.class, RedisCommand.class, BenchCommand.class})
final class SocketserverCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Reached only without a subcommand. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing command: " + String.join(" or ", spec.subcommands().keySet()));
    }
}
