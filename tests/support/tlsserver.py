"""Python `ssl` servers on loopback for tests, each a context manager yielding a `TLSServer`.

    with tls_server(cert_file, key_file) as srv:                  # srv.port, srv.host
        ... check_tls("node1.test", port=srv.port, addresses=["127.0.0.1"], ca_file=root) ...
    with tls_server(cert, key, max_version=ssl.TLSVersion.TLSv1_1) as old: ...   # an old server
    with tls_server(cert, key, body=b'{"software": "Planetmint"}') as api: ...  # answers GET with JSON

`cert_file` is what the server sends (a fullchain, or only the leaf to make an incomplete chain).
Old protocols and weak keys need OpenSSL security level 0, which `seclevel0=True` sets (the default).
Each connection is served in its own thread; the server stops and joins at exit.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class TLSServer:
    host: str
    port: int
    handshakes: int = 0
    errors: list[str] | None = None


def http_response(body: bytes, status: str = "200 OK", content_type: str = "application/json") -> bytes:
    head = (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n")
    return head.encode() + body


def server_context(cert_file: Path, key_file: Path, *, min_version: ssl.TLSVersion | None = None,
                   max_version: ssl.TLSVersion | None = None, seclevel0: bool = True) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if seclevel0:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.minimum_version = min_version or ssl.TLSVersion.MINIMUM_SUPPORTED
    if max_version:
        with warnings.catch_warnings():  # TLS 1.0/1.1 are deprecated: that is the point of the old server
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.maximum_version = max_version
    ctx.load_cert_chain(str(cert_file), str(key_file))
    return ctx


@contextlib.contextmanager
def tls_server(cert_file: Path, key_file: Path, *, host: str = "127.0.0.1", body: bytes | None = None,
               min_version: ssl.TLSVersion | None = None, max_version: ssl.TLSVersion | None = None,
               seclevel0: bool = True) -> Iterator[TLSServer]:
    """A TLS server sending `cert_file`'s chain; with `body`, it answers one HTTP request per connection."""
    ctx = server_context(cert_file, key_file, min_version=min_version, max_version=max_version, seclevel0=seclevel0)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    lsock = socket.socket(family, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, 0))
    lsock.listen(64)
    lsock.settimeout(0.1)
    state = TLSServer(host, int(lsock.getsockname()[1]), errors=[])
    stop = threading.Event()
    workers: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            with ctx.wrap_socket(conn, server_side=True) as tls:
                state.handshakes += 1
                if body is not None:
                    data = b""
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = tls.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    tls.sendall(http_response(body))
        except (OSError, ssl.SSLError) as exc:
            state.errors.append(str(exc))  # type: ignore[union-attr]

    def accept_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = lsock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=serve, args=(conn,), daemon=True)
            workers.append(t)
            t.start()

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(5)
        lsock.close()
        for t in workers:
            t.join(5)
