/**
 * The event-loop server: {@link dev.socketserver.async.AsyncServer} runs callbacks
 * ({@link dev.socketserver.async.Protocol} per connection, {@link dev.socketserver.async.DatagramProtocol}
 * per socket) on a few event loops, as asyncio's protocols do, for many connections at the cost of
 * a few threads. A callback must not block: it runs on the loop that serves every other connection
 * of that loop. The server is a {@link dev.socketserver.Server} like the blocking ones.
 */
package dev.socketserver.async;
