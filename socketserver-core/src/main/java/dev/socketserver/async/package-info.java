/**
 * The event-loop server: {@link dev.socketserver.async.AsyncServer} runs callbacks
 * ({@link dev.socketserver.async.Protocol} per connection, {@link dev.socketserver.async.DatagramProtocol}
 * per socket) on a few event loops, as asyncio's protocols do, for many connections at the cost of
 * a few threads. A callback must not block: it runs on the loop that serves every other connection
 * of that loop. The server is a {@link dev.socketserver.Server} like the blocking ones.
 *
 * <p>A protocol that works on frames rather than bytes (lines, delimited records, length-prefixed
 * messages, fixed-size records) is a {@link dev.socketserver.async.FrameProtocol}, cut by a
 * {@link dev.socketserver.async.Framer}.
 */
package dev.socketserver.async;
