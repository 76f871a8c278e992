/**
 * Servers with the shape of Python's {@code socketserver}: one handler, one line to serve.
 *
 * <p>A server kind says how a request arrives: {@link dev.socketserver.TcpServer},
 * {@link dev.socketserver.UdpServer}, {@link dev.socketserver.UnixStreamServer},
 * {@link dev.socketserver.UnixDatagramServer}. A {@link dev.socketserver.Concurrency} says where
 * it runs: a {@link dev.socketserver.ThreadModel} (the serving thread, a thread or virtual thread
 * each, at most N at once), which every server takes, or a {@link dev.socketserver.ProcessModel}
 * (a process each, or worker processes), which only stream servers take. A handler says what it does: a function
 * ({@link dev.socketserver.ConnectionHandler}, {@link dev.socketserver.DatagramHandler}) or Python's
 * class shape ({@link dev.socketserver.StreamRequestHandler},
 * {@link dev.socketserver.DatagramRequestHandler}). A {@link dev.socketserver.Connection} reads
 * frames as well as bytes: lines, delimited records, exact counts and length-prefixed frames
 * ({@link dev.socketserver.LengthField}), each with a limit ({@link dev.socketserver.FrameTooLongException}).
 *
 * <pre>{@code
 * TcpServer.serve(9000, conn -> conn.in().transferTo(conn.out()));
 * }</pre>
 *
 * <p>How a server serves in production (backlog, timeouts, limits, TLS, the PROXY protocol, water
 * marks, socket-file bits) is one immutable {@link dev.socketserver.ServerOptions} value, the same
 * for every server kind and family, with its defaults in one table.
 *
 * <p>Every server, the event-loop {@link dev.socketserver.async.AsyncServer} included, is a
 * {@link dev.socketserver.Server}: started, drained, closed and counted the same way.
 */
package dev.socketserver;
