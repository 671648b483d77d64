"""DNS lookups for the checks: one resolver per command, every query bounded, outcomes told apart.

A `Lookup` says what happened to one question in the operator's terms: the records, or NXDOMAIN (the
name does not exist), NODATA (the name exists but has no record of this type), SERVFAIL (the server
could not answer) or TIMEOUT (nobody answered in time). Timeouts and SERVFAIL are third-party trouble.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from pmwizard.core.hostname import wire_name
from pmwizard.core.shown import first_line
from pmwizard.errors import InputError

OK, NXDOMAIN, NODATA, SERVFAIL, TIMEOUT = "ok", "nxdomain", "nodata", "servfail", "timeout"


@dataclass(frozen=True)
class Nameserver:
    """A DNS server given with `--nameserver IP[:PORT]` (IPv6 as `[::1]:5353` or bare `::1`)."""

    ip: str
    port: int = 53

    def __str__(self) -> str:
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"{host}:{self.port}"


def parse_nameserver(text: str) -> Nameserver:
    """`IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address. Raises InputError naming --nameserver."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        end = raw.find("]")
        if end < 0:
            raise InputError("--nameserver", raw, "missing ']' after the IPv6 address")
        host, rest = raw[1:end], raw[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise InputError("--nameserver", raw, "expected ':PORT' after ']'")
            port_text = rest[1:]
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise InputError("--nameserver", raw, "not an IP address (use IP, IP:PORT or [IPv6]:PORT)") from None
    port = 53
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InputError("--nameserver", raw, f"port {port_text!r} is not a number from 1 to 65535")
        port = int(port_text)
    return Nameserver(str(ip), port)


@dataclass(frozen=True)
class Lookup:
    """The outcome of one question. `records` holds text forms (addresses, targets, CAA values)."""

    name: str
    rdtype: str
    outcome: str  # OK | NXDOMAIN | NODATA | SERVFAIL | TIMEOUT
    records: tuple[str, ...] = ()
    ttl: int | None = None
    detail: str = ""

    @property
    def trouble(self) -> bool:
        """True when the question could not be answered (third-party trouble, status `error`)."""
        return self.outcome in (SERVFAIL, TIMEOUT)


def normalize(name: str) -> str:
    """Names compared case-insensitively with the trailing dot ignored."""
    return name.strip().rstrip(".").lower()


class Resolver:
    """dnspython's async resolver with pmwizard's rules: given nameservers (with ports), timeout AND
    lifetime set, and every query inside `asyncio.wait_for` so nothing outlives the deadline."""

    def __init__(self, nameservers: Sequence[Nameserver | str] = (), timeout: float = 5.0,
                 share: bool = False) -> None:
        self.timeout = float(timeout)
        # share: one answer per (name, type) and zone for this resolver's life (a doctor run), so members and
        # checks asking the same question (the zone's NS, a member's A for DNS, TLS and P2P) ask it once
        self._shared: dict[tuple[str, str], asyncio.Future] | None = {} if share else None
        self.nameservers = tuple(parse_nameserver(n) if isinstance(n, str) else n for n in nameservers)
        self.setup_error = ""
        if self.nameservers:
            res = dns.asyncresolver.Resolver(configure=False)
            res.nameservers = [dns.nameserver.Do53Nameserver(n.ip, n.port) for n in self.nameservers]
        else:
            try:
                res = dns.asyncresolver.Resolver()
            except (dns.resolver.NoResolverConfiguration, OSError) as exc:
                res = dns.asyncresolver.Resolver(configure=False)
                self.setup_error = f"no system resolver configured ({exc}); pass --nameserver IP"
        # a question is sent again when 40% of the timeout is gone without an answer: a UDP datagram lost on the way
        # (a resolver busy with a doctor's burst drops some) is then one retry, not a member's "DNS timeout"
        res.timeout = self.per_try
        res.lifetime = self.timeout
        res.cache = None  # a check must see the answer as it is now
        self._res = res

    @property
    def per_try(self) -> float:
        """How long one try of a question waits: 40% of the timeout (a retry, and the zone walk's two questions
        each retried, fit in it), all of a timeout under 2 s."""
        return self.timeout * 0.4 if self.timeout >= 2 else self.timeout

    @property
    def authority_port(self) -> int:
        """Port for questions sent straight to a zone's servers: --nameserver's port when given (tests
        run the whole DNS on one loopback port), else 53."""
        return self.nameservers[0].port if self.nameservers else 53

    async def lookup(self, name: str, rdtype: str) -> Lookup:
        if self._shared is None:
            return await self._lookup(name, rdtype)
        return await self._once((normalize(name), rdtype), lambda: self._lookup(name, rdtype))

    async def _once(self, key: tuple[str, str], ask: Callable[[], Awaitable[Any]]) -> Any:
        assert self._shared is not None
        if key not in self._shared:
            self._shared[key] = asyncio.ensure_future(ask())
        # shielded: one asker's deadline must not cancel the answer the others wait for
        return await asyncio.shield(self._shared[key])

    async def _lookup(self, name: str, rdtype: str) -> Lookup:
        if self.setup_error:
            return Lookup(name, rdtype, SERVFAIL, detail=self.setup_error)
        wire = wire_name(name)
        try:
            answer = await asyncio.wait_for(
                self._res.resolve(wire, rdtype, search=False, raise_on_no_answer=False),
                self.timeout + 0.5,
            )
        except dns.resolver.NXDOMAIN:
            return Lookup(name, rdtype, NXDOMAIN, detail="the name does not exist")
        except (dns.exception.Timeout, TimeoutError):
            return Lookup(name, rdtype, TIMEOUT, detail=f"no answer within {self.timeout:g} s")
        except dns.resolver.NoNameservers as exc:
            return Lookup(name, rdtype, SERVFAIL, detail=first_line(exc))
        except (dns.exception.DNSException, OSError) as exc:
            return Lookup(name, rdtype, SERVFAIL, detail=first_line(exc))
        rrset = answer.rrset
        # With raise_on_no_answer=False dnspython follows a CNAME the server put in the answer; we want
        # only records owned by the name we asked about (CNAME chains are walked by the caller).
        if rrset is None or normalize(rrset.name.to_text()) != normalize(wire):
            return Lookup(name, rdtype, NODATA, detail=f"the name exists but has no {rdtype} record")
        return Lookup(name, rdtype, OK, tuple(_text(r) for r in rrset), rrset.ttl)

    async def zone_of(self, name: str) -> str | None:
        """The zone that contains `name` (the closest enclosing SOA), or None when it cannot be found."""
        if self._shared is not None:
            return await self._once((normalize(name), "zone"), lambda: self._zone_of(name))
        return await self._zone_of(name)

    async def _zone_of(self, name: str) -> str | None:
        try:
            zone = await asyncio.wait_for(
                dns.asyncresolver.zone_for_name(wire_name(name), resolver=self._res, lifetime=self.timeout),
                self.timeout + 0.5,
            )
        except (dns.exception.DNSException, TimeoutError, OSError):
            return None
        return normalize(zone.to_text())

    async def ask_authority(self, server_ip: str, name: str, rdtype: str) -> tuple[str, dns.message.Message | None]:
        """Ask one server directly, without recursion. ('ok'|'timeout'|'error: ...', response)."""
        query = dns.message.make_query(wire_name(name), rdtype)
        query.flags &= ~dns.flags.RD
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:  # tries of per_try seconds until the timeout: a lost datagram is asked again
            wait = min(self.per_try, deadline - loop.time())
            try:
                response = await asyncio.wait_for(
                    dns.asyncquery.udp(query, server_ip, timeout=wait, port=self.authority_port), wait + 0.5)
                break
            except (dns.exception.Timeout, TimeoutError):
                if deadline - loop.time() < 0.2:
                    return TIMEOUT, None
            except (dns.exception.DNSException, OSError) as exc:
                return f"error: {first_line(exc)}", None
        return OK, response


def _text(rdata: object) -> str:
    text = rdata.to_text()  # type: ignore[attr-defined]
    rdtype = getattr(rdata, "rdtype", None)
    if rdtype in (dns.rdatatype.CNAME, dns.rdatatype.NS):
        return normalize(text)
    return text


def is_public_ip(text: str) -> bool:
    """False for private and reserved addresses: RFC 1918, loopback, CGNAT, TEST-NET, link-local, ULA."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    return ip.is_global and not ip.is_multicast
