"""A tiny bounded HTTP/1.1 GET over asyncio streams (plain or TLS): enough to read a JSON root or
Tendermint's /status without an HTTP library. Whole exchange bounded by `timeout`, body by `max_bytes`."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class HttpTrouble(Exception):
    """kind: 'refused' (nothing listens / cannot connect), 'timeout', or 'bad' (not a usable HTTP reply)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON; HttpTrouble('bad') when it is not."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise HttpTrouble("bad", f"not JSON: {exc}") from None


def _insecure_context() -> ssl.SSLContext:
    # Reachability only: the certificate is judged by the tls.* checks, not here.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def http_get(url: str, *, timeout: float = 5.0, max_bytes: int = 1 << 20,
                   connect_to: str | None = None) -> HttpReply:
    """GET `url`. `connect_to`: an address to connect to instead of resolving the URL's host, which still
    goes in the Host header and SNI (so nginx picks the right server block)."""
    try:
        return await asyncio.wait_for(_get(url, timeout, max_bytes, connect_to), timeout)
    except TimeoutError:
        raise HttpTrouble("timeout", f"no answer from {url} within {timeout:g} s") from None


async def _get(url: str, timeout: float, max_bytes: int, connect_to: str | None) -> HttpReply:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpTrouble("bad", f"not an http(s) URL: {url!r}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    host = parts.hostname
    try:
        reader, writer = await asyncio.open_connection(
            connect_to or host, port, ssl=_insecure_context() if secure else None,
            server_hostname=host if secure and not _is_address(host) else None, ssl_handshake_timeout=timeout + 5 if secure else None)
    except ConnectionRefusedError:
        raise HttpTrouble("refused", f"connection refused by {host}:{port}") from None
    except (OSError, ssl.SSLError) as exc:
        raise HttpTrouble("refused", f"cannot connect to {host}:{port}: {exc}") from None
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        hosthdr = f"[{host}]" if ":" in host else host
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {hosthdr}:{port}\r\nAccept: application/json\r\n"
                     "User-Agent: pmwizard\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        data = b""
        while len(data) <= max_bytes:
            chunk = await reader.read(65536)
            if not chunk:
                break
            data += chunk
        if len(data) > max_bytes:
            raise HttpTrouble("bad", f"reply larger than {max_bytes} bytes")
    except (OSError, ssl.SSLError) as exc:
        raise HttpTrouble("bad", f"connection broke: {exc}") from None
    finally:
        writer.close()
    return _parse(data)


def _is_address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host


def _parse(data: bytes) -> HttpReply:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise HttpTrouble("bad", "no HTTP reply (the server closed without answering)")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0].split(" ", 2)
    if len(status_line) < 2 or not status_line[0].startswith("HTTP/") or not status_line[1].isdigit():
        raise HttpTrouble("bad", f"not HTTP: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _unchunk(body)
    elif headers.get("content-length", "").isdigit():
        body = body[: int(headers["content-length"])]
    return HttpReply(int(status_line[1]), headers, body)


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            raise HttpTrouble("bad", "broken chunked encoding") from None
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2 :]
    return out
