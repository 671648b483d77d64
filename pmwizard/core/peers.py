"""`persistent_peers` entries, parsed exactly as Tendermint 0.34's `p2p.NewNetAddressString` does.

The error strings are Tendermint's own (Go's `net.SplitHostPort`, `encoding/hex`, `strconv` wording), so
what pmwizard says about a peer line is what the node would log. Host names are not looked up here (that
is a live check); names under `.invalid` (RFC 6761) can never resolve and are refused like Tendermint's
lookup error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pmwizard.core.hostname import validate_hostname

ID_BYTES = 20


@dataclass(frozen=True)
class PeerAddress:
    """One `id@host:port` entry. `str()` is Tendermint's form: IPv6 in brackets, the id as given."""

    node_id: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.node_id}@{host}:{self.port}"

    def normalized(self) -> PeerAddress:
        """The entry to write: a lowercase id (uppercase parses, but the handshake compares lowercase)."""
        return PeerAddress(self.node_id.lower(), self.host.lower(), self.port)


def _invalid_byte(ch: str) -> str:
    shown = f" '{ch}'" if ch.isprintable() else ""
    return f"encoding/hex: invalid byte: U+{ord(ch):04X}{shown}"


def _validate_id(node_id: str) -> str | None:
    """Tendermint's validateID: non-empty, hex (Go's decoder order of errors), 20 bytes."""
    if not node_id:
        return "no ID"
    hexdigits = set("0123456789abcdefABCDEF")
    for i in range(1, len(node_id), 2):
        for ch in (node_id[i - 1], node_id[i]):
            if ch not in hexdigits:
                return _invalid_byte(ch)
    if len(node_id) % 2:
        if node_id[-1] not in hexdigits:
            return _invalid_byte(node_id[-1])
        return "encoding/hex: odd length hex string"
    if len(node_id) // 2 != ID_BYTES:
        return f"invalid hex length - got {len(node_id) // 2}, expected {ID_BYTES}"
    return None


def split_host_port(hostport: str) -> tuple[str, str]:
    """Go's net.SplitHostPort; raises ValueError with Go's message."""

    def err(why: str) -> ValueError:
        return ValueError(f"address {hostport}: {why}")

    i = hostport.rfind(":")
    if i < 0:
        raise err("missing port in address")
    j = k = 0
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise err("missing ']' in address")
        if end + 1 == len(hostport):
            raise err("missing port in address")
        if end + 1 != i:
            raise err("too many colons in address" if hostport[end + 1] == ":" else "missing port in address")
        host = hostport[1:end]
        j, k = 1, end + 1
    else:
        host = hostport[:i]
        if ":" in host:
            raise err("too many colons in address")
    if "[" in hostport[j:]:
        raise err("unexpected '[' in address")
    if "]" in hostport[k:]:
        raise err("unexpected ']' in address")
    return host, hostport[i + 1:]


def parse_peer_address(text: str) -> PeerAddress:
    """Parse one entry; raises ValueError with the message Tendermint would give."""
    rest = text.split("://")[1] if "://" in text else text
    parts = rest.split("@")
    if len(parts) != 2:
        raise ValueError(f"address ({text}) does not contain ID")
    node_id, hostport = parts
    problem = _validate_id(node_id)
    if problem:
        raise ValueError(f"invalid address ({rest}): {problem}")
    try:
        host, port_text = split_host_port(hostport)
    except ValueError as exc:
        raise ValueError(f"invalid address ({hostport}): {exc}") from None
    if not host:
        raise ValueError(f"invalid address ({hostport}): host is empty")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host.lower().rstrip(".").endswith(".invalid") or validate_hostname(host):
            why = "; ".join(validate_hostname(host)) or "names under .invalid never resolve"
            raise ValueError(f"error looking up host ({host}): {why}") from None
    if not port_text.isascii() or not port_text.isdigit():
        raise ValueError(f'invalid address ({port_text}): strconv.ParseUint: parsing "{port_text}": invalid syntax')
    if int(port_text) > 65535:
        raise ValueError(
            f'invalid address ({port_text}): strconv.ParseUint: parsing "{port_text}": value out of range')
    return PeerAddress(node_id, host, int(port_text))


def peers_line(peers: list[PeerAddress]) -> str:
    """The `persistent_peers` value: entries normalized, comma-separated, no spaces, no duplicates."""
    seen: list[str] = []
    for p in peers:
        entry = str(p.normalized())
        if entry not in seen:
            seen.append(entry)
    return ",".join(seen)


def is_private_or_loopback(host: str) -> bool:
    """True for loopback, RFC 1918, link-local, ULA, CGNAT addresses and `localhost` names."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip in ipaddress.ip_network("100.64.0.0/10")


def is_this_machine(ip: str) -> bool:
    """True when `ip` is one of this machine's own addresses: the kernel lets a socket bind only to those
    (loopback counts). No packet is sent."""
    import socket

    try:
        addr = ipaddress.ip_address(ip.strip("[]"))
    except ValueError:
        return False
    family = socket.AF_INET6 if addr.version == 6 else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.bind((str(addr), 0))
    except OSError:
        return False
    return True


def lan_reason(hosts: Sequence[str], resolve: Callable[[str], Sequence[str]] | None = None,
               is_local: Callable[[str], bool] = is_this_machine) -> str | None:
    """Why this node needs `addr_book_strict = false` and `allow_duplicate_ip = true`, or None.

    Tendermint's default filter (allow_duplicate_ip = false) drops a second connection from an address it is
    already connected to (`duplicate CONN` in its log), and its strict address book refuses private addresses.
    Both bite when peers are private/loopback addresses, when a peer's name resolves to this machine, or when
    several peers share one address (several nodes on one host or behind one NAT). `resolve`: host name ->
    its addresses (the CLI passes one; without it only literal addresses are judged)."""
    by_address: dict[str, list[str]] = {}
    for host in hosts:
        bare = host.strip("[]")
        if is_private_or_loopback(bare):
            return ("peers have private or loopback addresses (several nodes on one host or LAN, as "
                    "`tendermint testnet` does)")
        try:
            ipaddress.ip_address(bare)
            found: Sequence[str] = [bare]
        except ValueError:
            found = resolve(bare) if resolve else []
        for ip in found:
            if is_private_or_loopback(ip):
                return f"peer {host} resolves to the private or loopback address {ip}"
            if is_local(ip):
                return f"peer {host} resolves to this machine ({ip})"
            by_address.setdefault(ip, [])
            if host not in by_address[ip]:
                by_address[ip].append(host)
    for ip, names in by_address.items():
        if len(names) > 1:
            return f"peers {', '.join(names)} share one address ({ip}): Tendermint would drop all but one"
    return None
