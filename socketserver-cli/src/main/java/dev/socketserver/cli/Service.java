package dev.socketserver.cli;

import dev.socketserver.DatagramHandler;
import dev.socketserver.StreamHandler;

/**
 * What a server command does: with each connection on a stream (TCP, Unix) and with each
 * datagram (UDP). The {@code --listen} address decides which of the two is used.
 */
record Service(StreamHandler onConnection, DatagramHandler onDatagram) {
}
