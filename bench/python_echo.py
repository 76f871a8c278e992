#!/usr/bin/env python3
"""The Python peer: an echo server on the standard library's socketserver, the model this project
copies. ThreadingTCPServer (a thread per connection) or ThreadingUDPServer (a thread per datagram).

    python3 bench/python_echo.py --listen tcp://127.0.0.1:0
    python3 bench/python_echo.py --listen udp://127.0.0.1:0

Prints "listening on ADDRESS" with the real port, then serves until killed. As for every server in
the benchmark the listen backlog is 4096 (socketserver's default is 5, which would make 10,000
clients wait for SYN retries rather than for the server).
"""
import socketserver
import sys


class StreamEcho(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        while True:
            data = sock.recv(65536)
            if not data:
                return
            sock.sendall(data)


class DatagramEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 4096


class UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True


def main(argv):
    if len(argv) != 2 or argv[0] != "--listen":
        sys.exit("usage: python_echo.py --listen tcp://HOST:PORT|udp://HOST:PORT")
    scheme, _, rest = argv[1].partition("://")
    host, _, port = rest.rpartition(":")
    host = host.strip("[]")
    server_class, handler = {"tcp": (TCPServer, StreamEcho), "udp": (UDPServer, DatagramEcho)}[scheme]
    if ":" in host:
        server_class = type(server_class.__name__ + "6", (server_class,), {"address_family": __import__("socket").AF_INET6})
    with server_class((host, int(port)), handler) as server:
        bound_host, bound_port = server.server_address[:2]
        shown = "[%s]" % bound_host if ":" in bound_host else bound_host
        print("listening on %s://%s:%d" % (scheme, shown, bound_port), flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
