package dev.socketserver.cli;

import dev.socketserver.DatagramHandler;
import dev.socketserver.ConnectionHandler;
import dev.socketserver.async.DatagramProtocol;
import dev.socketserver.async.Protocol;

import java.util.function.Supplier;

/**
 * What a server command does: with each connection on a stream (TCP, Unix) and with each
 * datagram (UDP, Unix datagram), in the blocking shapes and in the event-loop shapes. The
 * {@code --listen} address and {@code --concurrency} mode decide which one is used.
 */
record Service(ConnectionHandler onConnection, DatagramHandler onDatagram,
               Supplier<Protocol> asyncConnection, Supplier<DatagramProtocol> asyncDatagrams) {
}
