package com.example.downstream;

import dev.socketserver.Connection;
import dev.socketserver.ConnectionHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A user's handler: answers each line in capitals, and says goodbye to "bye". */
public final class Shout implements ConnectionHandler {
    @Override
    public void handle(Connection conn) throws IOException {
        String line;
        while ((line = conn.readLine(1024)) != null) {
            if (line.equals("bye")) {
                conn.out().write("BYE\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            conn.out().write((line.toUpperCase(Locale.ROOT) + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
