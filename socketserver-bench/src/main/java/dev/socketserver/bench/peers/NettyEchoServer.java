package dev.socketserver.bench.peers;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The Netty 4.2 peer: an echo server written the idiomatic way ({@code ctx.write} in
 * {@code channelRead}, {@code ctx.flush} in {@code channelReadComplete}), on the native epoll
 * transport or the NIO one, with Netty's defaults otherwise (pooled buffers, {@code TCP_NODELAY},
 * one acceptor thread and twice as many I/O threads as processors).
 *
 * <pre>java -cp socketserver-bench.jar dev.socketserver.bench.peers.NettyEchoServer --transport epoll|nio --listen tcp://127.0.0.1:0</pre>
 *
 * UDP ({@code udp://HOST:PORT}) echoes each datagram to its sender from one channel.
 */
public final class NettyEchoServer {
    private NettyEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        PeerArgs peer = null;
        try {
            peer = PeerArgs.parse(args, List.of("transport", "threads"));
        } catch (IllegalArgumentException e) {
            PeerArgs.fail(e);
        }
        boolean epoll = switch (peer.option("transport", "epoll")) {
            case "epoll" -> true;
            case "nio" -> false;
            default -> throw new IllegalArgumentException("--transport is epoll or nio");
        };
        if (epoll) {
            Epoll.ensureAvailability();
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(peer.intOption("threads", 0), io);
        Channel channel;
        if (peer.scheme().equals("udp")) {
            channel = new Bootstrap().group(workers)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .handler(new DatagramEcho())
                    .bind(peer.socketAddress()).sync().channel();
        } else if (peer.scheme().equals("tcp")) {
            EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
            channel = new ServerBootstrap().group(boss, workers)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childHandler(new StreamEcho())
                    .bind(peer.socketAddress()).sync().channel();
        } else {
            throw new IllegalArgumentException("the Netty peer serves tcp:// and udp://");
        }
        PeerArgs.listening(peer.scheme(), (InetSocketAddress) channel.localAddress());
        channel.closeFuture().sync();
    }

    /** Echoes stream bytes: the canonical Netty echo handler. */
    @Sharable
    static final class StreamEcho extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            report(cause);
            ctx.close();
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger REPORTED = new java.util.concurrent.atomic.AtomicInteger();

    /** The first few errors go to standard error, so that a benchmark that sees closed connections can say why. */
    static void report(Throwable cause) {
        if (REPORTED.incrementAndGet() <= 5) {
            System.err.println("netty echo: closing a connection after " + cause);
        }
    }

    /** Echoes each datagram to its sender. */
    @Sharable
    static final class DatagramEcho extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            ctx.write(new DatagramPacket(packet.content().retain(), packet.sender()));
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a datagram that could not be sent; keep serving
        }
    }
}
