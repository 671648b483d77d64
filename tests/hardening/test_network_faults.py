"""Network faults the checks must survive, each with real sockets on loopback: a resolver answering garbage,
truncated UDP answers (the TCP fallback must be used), a TLS server sending a malformed certificate, a
server that accepts and never speaks. Each ends within its bound, as `error` (or the real answer), with a
readable message; never a traceback."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dns.flags
import dns.message
import dns.rrset
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtensionOID, NameOID

from pmwizard.checks import Status, check_api, check_dns, check_tls
from tests.support.faults import silent_tcp
from tests.support.ports import free_tcp_udp_port
from tests.support.tlsserver import tls_server

TIMEOUT = 1.5
SLACK = 2.0  # scheduling on a loaded 2-core CI machine; the point is "bounded", not "fast"


@contextlib.contextmanager
def udp_responder(reply, port: int | None = None) -> Iterator[int]:
    """A UDP 'DNS server' on loopback (on `port`, else a free one) whose answer to each datagram is
    reply(datagram) (None: silence)."""
    port = port or free_tcp_udp_port("127.0.0.1")
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    sock.settimeout(0.1)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                data, addr = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            out = reply(data)
            if out is not None:
                sock.sendto(out, addr)

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    try:
        yield port
    finally:
        stop.set()
        t.join(5)
        sock.close()


def test_resolver_answering_garbage_is_an_error_within_the_bound() -> None:
    with udp_responder(lambda q: q[:2] + os.urandom(40)) as port:  # right query id, then junk
        start = time.monotonic()
        found = _run(check_dns("node.example.test", nameservers=[f"127.0.0.1:{port}"], timeout=TIMEOUT))
        took = time.monotonic() - start
    a = next(f for f in found if f.check == "dns.a")
    assert a.status is Status.ERROR and a.message and a.fix
    assert took < TIMEOUT * 2 + SLACK, took


def _answer(query: dns.message.Message) -> dns.message.Message:
    r = dns.message.make_response(query)
    r.flags |= dns.flags.AA
    q = query.question[0]
    if q.rdtype == 1:  # A
        r.answer.append(dns.rrset.from_text(q.name, 300, "IN", "A", "127.0.0.1"))
    return r


@contextlib.contextmanager
def truncating_server() -> Iterator[tuple[int, list[str]]]:
    """UDP answers come back truncated (TC=1, no records); the full answer is only over TCP, same port."""
    port = free_tcp_udp_port("127.0.0.1")
    seen: list[str] = []

    def udp_reply(data: bytes) -> bytes:
        seen.append("udp")
        r = dns.message.make_response(dns.message.from_wire(data))
        r.flags |= dns.flags.TC
        return r.to_wire()

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(8)
    lsock.settimeout(0.1)
    stop = threading.Event()

    def tcp_loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = lsock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    size = struct.unpack("!H", conn.recv(2))[0]
                    data = b""
                    while len(data) < size:
                        data += conn.recv(size - len(data))
                    seen.append("tcp")
                    wire = _answer(dns.message.from_wire(data)).to_wire()
                    conn.sendall(struct.pack("!H", len(wire)) + wire)
                except (OSError, struct.error):
                    pass

    t = threading.Thread(target=tcp_loop, daemon=True)
    t.start()
    try:
        with udp_responder(udp_reply, port):
            yield port, seen
    finally:
        stop.set()
        t.join(5)
        lsock.close()


def test_truncated_udp_answer_falls_back_to_tcp() -> None:
    with truncating_server() as (port, seen):
        found = _run(check_dns("node.example.test", expect_ips=["127.0.0.1"], nameservers=[f"127.0.0.1:{port}"],
                               timeout=TIMEOUT))
    a = next(f for f in found if f.check == "dns.a")
    assert "udp" in seen and "tcp" in seen, seen
    assert a.code == "private" and a.evidence, a  # the real answer (loopback), reached over TCP


def _malformed_chain(folder: Path, leaf_oid: x509.ObjectIdentifier | None = None) -> tuple[Path, Path]:
    """A self-signed leaf for `bad.test` (with `leaf_oid`, one extension of it is not valid DER), followed by
    a second certificate whose SAN extension is not valid DER. OpenSSL loads and sends both as they are;
    parsers that look inside must cope."""
    from cryptography.hazmat.primitives.asymmetric import ec

    now = dt.datetime.now(dt.UTC)

    def cert(cn: str, key, ext: x509.ExtensionType) -> x509.Certificate:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=30)).add_extension(ext, critical=False)
                .sign(key, hashes.SHA256()))

    leaf_key, junk_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    leaf = cert("bad.test", leaf_key, x509.SubjectAlternativeName([x509.DNSName("bad.test")]))
    if leaf_oid is not None:
        leaf = cert("bad.test", leaf_key, x509.UnrecognizedExtension(leaf_oid, b"\x30\x05\xff"))
    junk = cert("junk", junk_key, x509.UnrecognizedExtension(ExtensionOID.SUBJECT_ALTERNATIVE_NAME, b"\x30\x05\xff"))
    pem = serialization.Encoding.PEM
    crt, key = folder / "bad.crt", folder / "bad.key"
    crt.write_bytes(leaf.public_bytes(pem) + junk.public_bytes(pem))
    key.write_bytes(leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return crt, key


@pytest.mark.parametrize("leaf_oid",
                         [None, ExtensionOID.CERTIFICATE_POLICIES, ExtensionOID.AUTHORITY_INFORMATION_ACCESS])
def test_tls_server_sending_a_malformed_certificate(tmp_path: Path, leaf_oid) -> None:
    crt, key = _malformed_chain(tmp_path, leaf_oid)
    with tls_server(crt, key) as srv:
        start = time.monotonic()
        found = _run(check_tls("bad.test", port=srv.port, addresses=["127.0.0.1"], timeout=TIMEOUT))
        took = time.monotonic() - start
    assert found and all(f.message for f in found)
    assert any(f.status in (Status.FAIL, Status.ERROR) for f in found), [f.code for f in found]
    if leaf_oid is not None:
        bad = next(f for f in found if f.check == "tls.chain")
        assert bad.code == "malformed" and "cannot be parsed" in bad.message and bad.fix
    assert took < TIMEOUT + SLACK


def test_api_server_that_accepts_and_never_speaks() -> None:
    with silent_tcp() as port, silent_tcp() as tls_port:
        start = time.monotonic()
        f = _run(check_api("127.0.0.1", https_port=tls_port, http_port=port, timeout=TIMEOUT))
        took = time.monotonic() - start
    assert f.check == "api.planetmint" and f.status is not Status.PASS and f.message
    assert took < TIMEOUT * 2 + SLACK, took


def _run(coro):
    import asyncio

    return asyncio.run(coro)
