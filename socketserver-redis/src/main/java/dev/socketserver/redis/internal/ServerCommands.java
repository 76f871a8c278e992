package dev.socketserver.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PING, ECHO, QUIT, SELECT, and what {@code redis-cli} and {@code redis-benchmark} ask when they
 * start: COMMAND, CONFIG GET, CLIENT, INFO.
 */
final class ServerCommands {
    /** What CONFIG GET answers: enough for redis-benchmark, which asks for save and appendonly. */
    private static final Map<String, String> CONFIG = new LinkedHashMap<>();

    static {
        CONFIG.put("save", "");
        CONFIG.put("appendonly", "no");
        CONFIG.put("databases", "1");
        CONFIG.put("maxmemory", "0");
        CONFIG.put("maxmemory-policy", "noeviction");
        CONFIG.put("proto-max-bulk-len", Long.toString(RequestParser.MAX_BULK_LENGTH));
    }

    private final Store store;
    private final ServerInfo info;
    private final CommandTable table;

    ServerCommands(Store store, ServerInfo info, CommandTable table) {
        this.store = store;
        this.info = info;
        this.table = table;
    }

    void register() {
        table.add("ping", -1, (args, reply, session) -> {
            if (args.count() > 2) {
                throw new CommandError("ERR wrong number of arguments for 'ping' command");
            }
            if (args.count() == 2) {
                reply.bulk(args.get(1));
            } else {
                reply.simple("PONG");
            }
        });
        table.add("echo", 2, (args, reply, session) -> reply.bulk(args.get(1)));
        table.add("quit", -1, (args, reply, session) -> {
            session.quit();
            reply.ok();
        });
        table.add("select", 2, (args, reply, session) -> {
            long index;
            try {
                index = Numbers.parseLong(args.get(1));
            } catch (CommandError e) {
                throw new CommandError("ERR value is not an integer or out of range");
            }
            if (index != 0) {
                throw new CommandError("ERR DB index is out of range");
            }
            reply.ok();
        });
        table.add("command", -1, this::command);
        table.add("config", -2, this::config);
        table.add("client", -2, this::client);
        table.add("info", -1, (args, reply, session) -> reply.bulk(info.text(store, args.count() > 1 ? args.text(1) : "default")));
    }

    /** COMMAND, COMMAND COUNT, COMMAND DOCS (empty), COMMAND INFO name... */
    private void command(Arguments args, Reply reply, Session session) {
        if (args.count() == 1) {
            List<CommandTable.Entry> entries = table.entries();
            reply.array(entries.size());
            entries.forEach(entry -> describe(entry, reply));
            return;
        }
        switch (args.text(1).toUpperCase(Locale.ROOT)) {
            case "COUNT" -> reply.integer(table.size());
            case "DOCS" -> reply.array(0);
            case "INFO" -> {
                reply.array(args.count() - 2);
                for (int i = 2; i < args.count(); i++) {
                    CommandTable.Entry entry = table.find(args.get(i));
                    if (entry == null) {
                        reply.nullArray();
                    } else {
                        describe(entry, reply);
                    }
                }
            }
            default -> throw new CommandError("ERR unknown subcommand '" + args.text(1) + "'. Try COMMAND HELP.");
        }
    }

    /** A command's entry as COMMAND gives it: name, arity, flags, first key, last key, step. */
    private static void describe(CommandTable.Entry entry, Reply reply) {
        reply.array(6);
        reply.bulk(entry.name());
        reply.integer(entry.arity());
        reply.array(0);
        reply.integer(0);
        reply.integer(0);
        reply.integer(0);
    }

    /** CONFIG GET pattern...: the few parameters above; CONFIG SET and RESETSTAT are accepted and change nothing. */
    private void config(Arguments args, Reply reply, Session session) {
        switch (args.text(1).toUpperCase(Locale.ROOT)) {
            case "GET" -> {
                if (args.count() < 3) {
                    throw new CommandError("ERR wrong number of arguments for 'config|get' command");
                }
                var found = new ArrayList<String>();
                CONFIG.forEach((name, value) -> {
                    for (int i = 2; i < args.count(); i++) {
                        byte[] pattern = args.text(i).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
                        if (Glob.matches(pattern, name.getBytes(StandardCharsets.US_ASCII))) {
                            found.add(name);
                            found.add(value);
                            return;
                        }
                    }
                });
                reply.array(found.size());
                found.forEach(reply::bulk);
            }
            case "SET", "RESETSTAT" -> reply.ok();
            default -> throw new CommandError("ERR unknown subcommand '" + args.text(1) + "'. Try CONFIG HELP.");
        }
    }

    /** CLIENT SETNAME, GETNAME, SETINFO (sent by Jedis), ID. */
    private void client(Arguments args, Reply reply, Session session) {
        switch (args.text(1).toUpperCase(Locale.ROOT)) {
            case "SETNAME" -> {
                if (args.count() != 3) {
                    throw new CommandError("ERR wrong number of arguments for 'client|setname' command");
                }
                byte[] name = args.get(2);
                for (byte b : name) {
                    if (b <= ' ' || b > '~') {
                        throw new CommandError("ERR Client names cannot contain spaces, newlines or special characters.");
                    }
                }
                session.name(name.length == 0 ? null : name);
                reply.ok();
            }
            case "GETNAME" -> StringCommands.bulkOrNull(reply, session.name());
            case "SETINFO" -> reply.ok();
            case "ID" -> reply.integer(System.identityHashCode(session));
            default -> throw new CommandError("ERR unknown subcommand '" + args.text(1) + "'. Try CLIENT HELP.");
        }
    }
}
