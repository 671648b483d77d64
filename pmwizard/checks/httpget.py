"""A small bounded HTTP/1.1 GET over asyncio streams (plain or TLS): enough to read a JSON root or
Tendermint's /status. The framing (chunked, Content-Length, close-delimited) is h11's, a maintained sans-I/O
HTTP/1.1 library, so a hostile server's framing (negative or endless chunks) meets tested code. The whole
exchange is bounded by `timeout`, the body by `max_bytes`, and a JSON body by its nesting depth."""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

import h11

MAX_HEAD = 16 * 1024  # status line and headers: more is not a reply we want to read


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
        """The body as JSON; HttpTrouble('bad') when it is not, or nests deeper than any real reply."""
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise HttpTrouble("bad", f"not JSON: {exc}") from None
        except RecursionError:
            raise HttpTrouble("bad", "not a usable JSON reply: nested too deeply") from None


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
            server_hostname=host if secure and not _is_address(host) else None,
            ssl_handshake_timeout=timeout + 5 if secure else None)
    except ConnectionRefusedError:
        raise HttpTrouble("refused", f"connection refused by {host}:{port}") from None
    except (OSError, ssl.SSLError) as exc:
        raise HttpTrouble("refused", f"cannot connect to {host}:{port}: {exc}") from None
    try:
        return await _exchange(reader, writer, parts, host, port, max_bytes, time.monotonic() + timeout)
    except (OSError, ssl.SSLError) as exc:
        raise HttpTrouble("bad", f"connection broke: {exc}") from None
    except h11.ProtocolError as exc:
        raise HttpTrouble("bad", f"not a usable HTTP reply: {exc}") from None
    finally:
        writer.close()


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parts: SplitResult, host: str,
                    port: int, max_bytes: int, deadline: float) -> HttpReply:
    """One GET framed by h11: chunked bodies, Content-Length and close-delimited replies are decoded by a
    maintained library, with the body capped at `max_bytes` and the bytes read capped too (so a reply of
    one-byte chunks costs at most a few times the cap, never a quadratic re-copy). Decoding is synchronous
    between reads, so the deadline is also checked per event and reads are small: a flood of tiny chunks
    cannot keep the event loop past the timeout."""
    conn = h11.Connection(our_role=h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    hosthdr = f"[{host}]" if ":" in host else host
    request = h11.Request(method="GET", target=path, headers=[
        ("Host", f"{hosthdr}:{port}"), ("Accept", "application/json"), ("User-Agent", "pmwizard"),
        ("Connection", "close")])
    writer.write(conn.send(request) + conn.send(h11.EndOfMessage()))
    await writer.drain()
    response: h11.Response | None = None
    body = bytearray()
    wire = 0
    while True:
        if time.monotonic() > deadline:
            raise HttpTrouble("timeout", f"the reply from {host}:{port} did not end in time")
        event = conn.next_event()
        if event is h11.NEED_DATA:
            chunk = await reader.read(8192)
            wire += len(chunk)
            if wire > 4 * max_bytes + MAX_HEAD:
                raise HttpTrouble("bad", f"reply larger than {max_bytes} bytes (with its framing)")
            conn.receive_data(chunk)  # b"" tells h11 the server closed
            continue
        if isinstance(event, h11.Response):
            response = event
        elif isinstance(event, h11.Data):
            body += event.data
            if len(body) > max_bytes:
                raise HttpTrouble("bad", f"reply larger than {max_bytes} bytes")
        elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
            break
    if response is None:
        raise HttpTrouble("bad", "no HTTP reply (the server closed without answering)")
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in response.headers}
    return HttpReply(response.status_code, headers, bytes(body))


def _is_address(host: str) -> bool:
    return host.replace(".", "").isdigit() or ":" in host
