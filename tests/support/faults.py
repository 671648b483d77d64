"""Fault injection with real sockets on loopback. Every helper is a context manager yielding the port.

    silent_udp()            a UDP socket that reads queries and never answers (a dead resolver)
    rcode_dns_server(rc)    answers every DNS query with rcode `rc` (SERVFAIL by default, or REFUSED)
    refused_port()          a TCP port with nothing listening (connect -> ECONNREFUSED)
    silent_tcp()            accepts connections, reads, never writes: a TLS handshake never finishes,
                            an HTTP request never gets an answer, a Tarantool greeting never comes
    http_text_server(body)  reads the request, answers `body` bytes and closes (plain HTTP on a TLS port)
    full_backlog()          a port whose accept queue is full: connects hang like a blackholed host
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator

import dns.exception
import dns.message
import dns.rcode

from tests.support.ports import free_port, free_tcp_udp_port


class _Loop:
    """A selector loop in a thread; stopped and joined at exit, sockets closed."""

    def __init__(self) -> None:
        self.sel = selectors.DefaultSelector()
        self.stop = threading.Event()
        self.socks: list[socket.socket] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for key, _ in self.sel.select(0.05):
                key.data(key.fileobj)

    def add(self, sock: socket.socket, handler) -> None:
        sock.setblocking(False)
        self.socks.append(sock)
        self.sel.register(sock, selectors.EVENT_READ, handler)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for s in self.socks:
            s.close()
        self.sel.close()


@contextlib.contextmanager
def silent_udp(host: str = "127.0.0.1", port: int | None = None) -> Iterator[int]:
    port = port or free_tcp_udp_port(host)
    loop = _Loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))
    loop.add(sock, lambda s: s.recvfrom(4096))
    loop.thread.start()
    try:
        yield port
    finally:
        loop.close()


@contextlib.contextmanager
def rcode_dns_server(rcode: int = dns.rcode.SERVFAIL, host: str = "127.0.0.1",
                     port: int | None = None) -> Iterator[int]:
    port = port or free_tcp_udp_port(host)
    loop = _Loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((host, port))

    def answer(s: socket.socket) -> None:
        data, addr = s.recvfrom(4096)
        try:
            r = dns.message.make_response(dns.message.from_wire(data))
        except dns.exception.DNSException:  # not DNS: ignore like a server would
            return
        r.set_rcode(rcode)
        s.sendto(r.to_wire(), addr)

    loop.add(sock, answer)
    loop.thread.start()
    try:
        yield port
    finally:
        loop.close()


@contextlib.contextmanager
def refused_port(host: str = "127.0.0.1") -> Iterator[int]:
    # A just-freed ephemeral port on loopback: connecting gets RST (nothing listens).
    yield free_port(host=host)


def _tcp_server(host: str, reply: bytes | None) -> tuple[_Loop, int]:
    loop = _Loop()
    srv = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, 0))
    srv.listen(64)

    def read(c: socket.socket) -> None:
        try:
            data = c.recv(65536)
        except OSError:
            data = b""
        if not data:
            loop.sel.unregister(c)
            c.close()

    def accept(s: socket.socket) -> None:
        conn, _ = s.accept()
        if reply is not None:
            # Read the request first: closing with unread data would send RST instead of the reply.
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                conn.recv(65536)
            conn.sendall(reply)
            conn.close()
            return
        loop.add(conn, read)

    loop.add(srv, accept)
    loop.thread.start()
    return loop, int(srv.getsockname()[1])


@contextlib.contextmanager
def silent_tcp(host: str = "127.0.0.1") -> Iterator[int]:
    loop, port = _tcp_server(host, None)
    try:
        yield port
    finally:
        loop.close()


@contextlib.contextmanager
def http_text_server(body: bytes, host: str = "127.0.0.1") -> Iterator[int]:
    loop, port = _tcp_server(host, body)
    try:
        yield port
    finally:
        loop.close()


@contextlib.contextmanager
def full_backlog(host: str = "127.0.0.1") -> Iterator[int]:
    """A listening port whose accept queue is full and never drained: Linux drops further SYNs, so a
    connect hangs like one to a blackholed host (loopback cannot be blackholed otherwise)."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind((host, 0))
    srv.listen(0)
    port = int(srv.getsockname()[1])
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            fillers.append(c)
            with contextlib.suppress(BlockingIOError):
                c.connect((host, port))
        yield port
    finally:
        for c in fillers:
            c.close()
        srv.close()
