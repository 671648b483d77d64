"""Live TLS checks (SPEC §6 tls.*): connect to every address the name resolves to, with SNI, take the
chain the server actually sent, and judge it (pmwizard.checks.certs). Bounded by the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509

from pmwizard.checks.certs import certificate_findings, trust_anchors
from pmwizard.checks.finding import Finding, Status
from pmwizard.core.hostname import is_ip, wire_name

if TYPE_CHECKING:  # dnspython loads only when a host name is resolved (not for an IP, nor in the doctor)
    from pmwizard.checks.lookup import Nameserver

OLD_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1.1")


@functools.lru_cache(maxsize=1)
def probe_context() -> ssl.SSLContext:
    """A client that accepts anything so it can SEE what the server does; judging happens afterwards.
    Security level 0 lets it complete handshakes with old protocols and weak keys, to report them.
    One per process: it holds no trust store and no session, and a doctor probes hundreds of servers."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    return ctx


@dataclass(frozen=True)
class Probe:
    """What one TLS connection showed. outcome: ok | refused | timeout | not_tls."""

    address: str
    port: int
    outcome: str
    detail: str = ""
    protocol: str | None = None
    chain: tuple[x509.Certificate, ...] = field(default=())


def sent_chain(ssl_object: ssl.SSLObject) -> list[x509.Certificate]:
    """The certificates the server sent, in its order (public API on 3.13+, private on 3.11/3.12)."""
    getter = getattr(ssl_object, "get_unverified_chain", None)
    if getter is not None:  # Python 3.13+: list of DER bytes
        ders = [d if isinstance(d, bytes) else d.public_bytes(ssl._ssl.ENCODING_DER)  # type: ignore[attr-defined]  # private, as below
                for d in getter() or []]
    else:
        raw = ssl_object._sslobj.get_unverified_chain() or []  # type: ignore[attr-defined]
        ders = [c.public_bytes(ssl._ssl.ENCODING_DER) for c in raw]  # type: ignore[attr-defined]
    return [x509.load_der_x509_certificate(d) for d in ders]


async def probe(address: str, port: int, sni: str | None, timeout: float) -> Probe:
    """TCP connect, then the TLS handshake, each bounded; never raises for network trouble."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout)
    except ConnectionRefusedError:
        return Probe(address, port, "refused", "connection refused: nothing listens on this port")
    except TimeoutError:
        return Probe(address, port, "timeout", f"no TCP connection within {timeout:g} s")
    except OSError as exc:
        return Probe(address, port, "refused", f"cannot connect: {exc.strerror or exc}")
    try:
        left = max(0.05, deadline - loop.time())
        # wait_for owns the deadline (asyncio's own handshake timeout would look like a connection error)
        await asyncio.wait_for(
            writer.start_tls(probe_context(), server_hostname=sni, ssl_handshake_timeout=left + 5), left)
        obj = writer.get_extra_info("ssl_object")
        return Probe(address, port, "ok", protocol=obj.version(), chain=tuple(sent_chain(obj)))
    except TimeoutError:
        return Probe(address, port, "timeout", f"the TLS handshake did not finish within {timeout:g} s")
    except (ssl.SSLError, ConnectionError, OSError, EOFError) as exc:
        return Probe(address, port, "not_tls", f"no TLS handshake: {exc}")
    finally:
        writer.close()
        with contextlib.suppress(TimeoutError, OSError, ssl.SSLError):
            await asyncio.wait_for(writer.wait_closed(), 0.5)


def _connect_finding(host: str, p: Probe, target: str) -> Finding:
    ev = {"address": p.address, "port": p.port, "detail": p.detail}
    if p.outcome == "ok":
        return Finding("tls.connect", target, Status.PASS, "ok", f"TLS handshake with {p.address} ({p.protocol})",
                       evidence={**ev, "protocol": p.protocol})
    if p.outcome == "refused":
        return Finding("tls.connect", target, Status.FAIL, "refused", f"{p.address}:{p.port}: {p.detail}",
                       fix=f"Start nginx with a TLS server block (`listen {p.port} ssl; server_name {host};`) and "
                           f"open the port in the firewall (e.g. `ufw allow {p.port}/tcp`)", evidence=ev)
    if p.outcome == "timeout":
        return Finding("tls.connect", target, Status.ERROR, "timeout", f"{p.address}:{p.port}: {p.detail}",
                       fix=f"Check that the firewall lets TCP {p.port} in and that the DNS address is the "
                           "server's; then retry", evidence=ev)
    return Finding("tls.connect", target, Status.FAIL, "not_tls", f"{p.address}:{p.port}: {p.detail}",
                   fix=f"Make port {p.port} speak TLS: in nginx `listen {p.port} ssl;` with `ssl_certificate` and "
                       "`ssl_certificate_key` (plain HTTP belongs on port 80)", evidence=ev)


def protocol_finding(target: str, protocol: str | None) -> Finding:
    if protocol in OLD_PROTOCOLS:
        return Finding("tls.protocol", target, Status.FAIL, "old",
                       f"the server negotiated {protocol} although the client offered TLS 1.3",
                       fix="In nginx: `ssl_protocols TLSv1.2 TLSv1.3;` then `nginx -s reload` (and update "
                           "OpenSSL if the server cannot do TLS 1.2)", evidence={"protocol": protocol})
    return Finding("tls.protocol", target, Status.PASS, "ok", f"negotiated {protocol}",
                   evidence={"protocol": protocol})




async def check_tls(host: str, *, port: int = 443, names: Sequence[str] = (), ca_file: str | Path | None = None,
                    nameservers: Sequence[Nameserver | str] = (), timeout: float = 5.0,
                    addresses: Sequence[str] | None = None) -> list[Finding]:
    """tls.* findings for `host` (SNI) on every A/AAAA address (or the given `addresses`).
    `names` are further names clients type (consortium CNAME, round-robin name); the host is always checked.
    DNS trouble while finding the addresses comes back as the dns.a finding that explains it."""
    anchors = trust_anchors(ca_file)  # bad --ca-file: InputError before any network work
    if addresses is None:
        if is_ip(host):
            addresses = [host.strip("[]")]
        else:
            from pmwizard.checks.dnscheck import resolve_addresses
            from pmwizard.checks.lookup import Resolver

            addresses, problems = await resolve_addresses(Resolver(nameservers, timeout), host)
            if not addresses:
                res = problems[0]
                status = Status.ERROR if res.trouble else Status.FAIL
                return [Finding("dns.a", host, status, res.outcome,
                                f"cannot check TLS: {res.rdtype} lookup of {res.name}: {res.detail}",
                                fix=f"Run `pmwizard check dns {host}` and fix what it reports",
                                evidence={"detail": res.detail})]
    # SNI and name matching use the A-labels the certificate carries (IDNA 2008: straße.example is
    # xn--strae-oqa.example; Python's ssl would otherwise encode the SNI with IDNA 2003, strasse.example)
    ace = host if is_ip(host) else wire_name(host)
    names = [wire_name(n) for n in names]
    sni = None if is_ip(host) else ace.rstrip(".")
    probes = await asyncio.gather(*(probe(a, port, sni, timeout) for a in addresses))
    out: list[Finding] = []
    for p in probes:
        shown = f"[{p.address}]" if ":" in p.address else p.address
        target = f"{host}:{port} via {shown}"
        out.append(_connect_finding(host, p, target))
        if p.outcome != "ok" or not p.chain:
            continue
        out += certificate_findings(target, host, p.chain, [ace, *names], anchors)
        out.append(protocol_finding(target, p.protocol))
    return out
