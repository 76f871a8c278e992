package dev.socketserver.redis.internal;

/**
 * A command refused, answered as a RESP error: the message starts with Redis's code ({@code ERR},
 * {@code WRONGTYPE}) and is worded as Redis words it. The connection stays open.
 */
final class CommandError extends RuntimeException {
    static final String WRONG_TYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String NOT_AN_INTEGER = "ERR value is not an integer or out of range";
    static final String NOT_A_FLOAT = "ERR value is not a valid float";
    static final String SYNTAX = "ERR syntax error";

    CommandError(String message) {
        super(message, null, false, false);
    }

    static CommandError wrongType() {
        return new CommandError(WRONG_TYPE);
    }

    static CommandError notAnInteger() {
        return new CommandError(NOT_AN_INTEGER);
    }

    static CommandError syntax() {
        return new CommandError(SYNTAX);
    }
}
