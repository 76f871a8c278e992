package dev.socketserver.redis.internal;

/** What the engine keeps of one connection: its name (CLIENT SETNAME) and whether it asked to quit. */
public final class Session {
    private byte[] name;
    private boolean quit;

    byte[] name() {
        return name;
    }

    void name(byte[] name) {
        this.name = name;
    }

    void quit() {
        quit = true;
    }

    /** Whether the connection is to be closed once its replies are written (QUIT). */
    public boolean quitRequested() {
        return quit;
    }
}
