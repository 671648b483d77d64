"""Blocking host-name lookups for `configure`'s LAN/same-host decision (core.peers.lan_reason): through the
given --nameserver servers (dnspython, bounded by the timeout), else the system resolver, which is what
Tendermint itself uses when it dials a peer. Names under the special-use domains .test, .example, .invalid
and .localhost (RFC 2606/6761) never reach the public DNS: without --nameserver they are only read from the
hosts file."""

from __future__ import annotations

import concurrent.futures
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

SPECIAL = (".test", ".example", ".invalid", ".localhost")
HOSTS = Path("/etc/hosts")


def _from_hosts_file(name: str) -> list[str]:
    try:
        text = HOSTS.read_text(errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) > 1 and name.lower() in (f.lower() for f in fields[1:]):
            found.append(fields[0])
    return found


def address_resolver(nameservers: Sequence[object] = (), timeout: float = 3.0) -> Callable[[str], list[str]]:
    """A function host -> its IPv4/IPv6 addresses (empty when it does not resolve in time)."""
    if nameservers:
        import dns.exception
        import dns.nameserver
        import dns.resolver

        from pmwizard.checks.lookup import parse_nameserver

        res = dns.resolver.Resolver(configure=False)
        servers = [parse_nameserver(str(n)) for n in nameservers]
        res.nameservers = [dns.nameserver.Do53Nameserver(n.ip, n.port) for n in servers]
        res.timeout = res.lifetime = timeout
        res.cache = None

        def by_dns(name: str) -> list[str]:
            out = []
            for rdtype in ("A", "AAAA"):
                try:
                    answer = res.resolve(name, rdtype, search=False, raise_on_no_answer=False)
                except (dns.exception.DNSException, OSError):
                    continue
                out += [r.to_text() for r in answer.rrset or []]
            return out
        return by_dns

    def by_system(name: str) -> list[str]:
        if name.lower().rstrip(".").endswith(SPECIAL):
            return _from_hosts_file(name.rstrip("."))
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        job = pool.submit(socket.getaddrinfo, name, None, 0, socket.SOCK_STREAM)
        try:
            infos = job.result(timeout)
        except (concurrent.futures.TimeoutError, OSError):
            return []
        finally:
            pool.shutdown(wait=False)
        return list(dict.fromkeys(str(i[4][0]) for i in infos))
    return by_system
