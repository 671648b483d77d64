"""The check catalogue (SPEC §6), shipped with the package: every `check` name a finding can carry, its
`code`s and what they mean. `pmwizard check --list` prints it; the tests compare `SPEC_ROWS` with the copy
of §6 in tests/fixtures, so the catalogue an operator reads and the contract cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckInfo:
    check: str
    codes: tuple[str, ...]
    notes: str

    def markdown_row(self) -> str:
        """The row exactly as SPEC §6 writes it."""
        return f"| {self.check} | {', '.join(self.codes)} | {self.notes} |"

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "codes": list(self.codes), "notes": self.notes}


SPEC_ROWS: tuple[CheckInfo, ...] = (
    CheckInfo("dns.name", ("ok", "invalid"),
              "RFC 1035/IDNA syntax, ≤253 bytes, labels ≤63; doubled zone suffix (`a.example.org.example.org`) → warn"),
    CheckInfo("dns.a", ("ok", "nxdomain", "nodata", "mismatch", "private", "servfail", "timeout"),
              "mismatch = not the expected IP; private/reserved addresses (RFC 1918, loopback, CGNAT, TEST-NET, "
              "link-local, ULA) → warn"),
    CheckInfo("dns.aaaa", ("ok", "absent", "private"),
              "present AAAA: IPv6 clients go there; TLS is then checked on it too"),
    CheckInfo("dns.cname", ("ok", "missing", "wrong_target", "dangling", "loop"),
              "names compared case-insensitively, trailing dot ignored"),
    CheckInfo("dns.caa", ("ok", "forbids"), "fail when CAA records exist and none allows `--ca`"),
    CheckInfo("dns.authority", ("agree", "disagree", "lame"),
              "the zone's authoritative servers asked directly (no recursion) vs the resolver"),
    CheckInfo("tls.connect", ("ok", "refused", "timeout", "not_tls"),
              "SNI = the name being checked; each A/AAAA address separately"),
    CheckInfo("tls.chain", ("ok", "incomplete", "untrusted", "self_signed"),
              "classify before verifying: say which issuer is missing and the fix (`fullchain.pem`)"),
    CheckInfo("tls.name", ("ok", "mismatch"),
              "every name clients type: hostname, each consortium CNAME name, the round-robin name"),
    CheckInfo("tls.validity", ("ok", "expired", "expiring", "not_yet_valid"), "expiring = under 21 days"),
    CheckInfo("tls.key", ("ok", "weak"), "RSA < 2048"),
    CheckInfo("tls.signature", ("ok", "weak"), "SHA-1/MD5"),
    CheckInfo("tls.protocol", ("ok", "old"), "below TLS 1.2"),
    CheckInfo("tls.shared", ("ok", "shared"),
              "doctor: two members serve the same certificate (the docs forbid sharing)"),
    CheckInfo("net.p2p", ("open", "closed", "timeout"), "TCP to `host:p2p_port`"),
    CheckInfo("api.planetmint", ("ok", "unexpected", "unreachable"),
              "GET `/` on the HTTPS root, else `http://host:9984`"),
    CheckInfo("rpc.status", ("ok", "node_id_mismatch", "chain_id_mismatch", "unreachable"),
              "only where the RPC answers"),
    CheckInfo("tarantool", ("ok", "unreachable", "not_tarantool"), "greeting on 3303"),
)

# Checks of a running node and network (issues 11.2, 16; tests/fixtures/network-check-catalogue.md, row for row).
NETWORK_ROWS: tuple[CheckInfo, ...] = (
    CheckInfo("node.peers", ("ok", "none", "duplicate_ip", "wrong_peers", "dns", "firewall", "peers_down"),
              "local doctor: 0 peers (or fewer than the peers line) fails with the cause: duplicate-IP filter, "
              "node IDs that answer as someone else, peer names that do not resolve, connect timeouts, peers not "
              "running"),
    CheckInfo("node.blocks", ("ok", "no_block", "stalled", "catching_up", "stuck", "unreadable"),
              "local doctor: two reads a short window apart; no block since genesis, no block with a height under "
              "way, catching up that does not move"),
    CheckInfo("network.consensus", ("ok", "margin", "halt", "stall"),
              "`doctor --network`: more than 2/3 of the power must vote; margin = one more failure halts (names "
              "who must stay up); halt = predicted from who is down; stall = no block for `--stall-after` s, "
              "naming who does not vote"),
    CheckInfo("network.validator", ("ok", "missed", "not_signing"),
              "per validator by member name: power, signed of the last N commits, consecutive missed, prevote in "
              "an overdue height, connected to this node"),
    CheckInfo("network.peer", ("ok", "not_connected", "stale_dns"),
              "connected to this node, on the IP its host name resolves to now"),
    CheckInfo("network.node", ("ok", "catching_up", "unreachable"),
              "each RPC read: height of the highest seen, catching_up"),
    CheckInfo("network.version", ("ok", "skew"),
              "Tendermint versions of the nodes read"),
    CheckInfo("network.app_hash", ("ok", "diverged"),
              "block and app hash of every node read at one common height"),
    CheckInfo("network.clock", ("ok", "skew"),
              "a validator's vote times against the block (BFT) time; each node's and this machine's clock from "
              "the RPC's HTTP Date (> 3 s)"),
    CheckInfo("network.disk", ("ok", "low"),
              "free space for the Tendermint data below 5%"),
)

# Checks pmwizard runs beyond SPEC §6 (tests/p2p/test_zz_codes.py holds the same codes).
EXTRA_ROWS: tuple[CheckInfo, ...] = (
    CheckInfo("p2p.handshake",
              ("ok", "node_id_mismatch", "chain_id_mismatch", "version_mismatch", "refused", "timeout",
               "not_tendermint"),
              "Tendermint 0.34's secret-connection handshake on the P2P port: the node ID the peer proves and the "
              "chain in its NodeInfo"),
)

CATALOGUE: tuple[CheckInfo, ...] = SPEC_ROWS + NETWORK_ROWS + EXTRA_ROWS

STATUS_NOTE = ("status is pass, warn, fail or error; error = could not check (a resolver down, a timeout), "
               "never fail")


def catalogue_json() -> dict[str, Any]:
    return {"checks": [c.to_json() for c in CATALOGUE], "statuses": ["pass", "warn", "fail", "error"]}


def catalogue_text() -> str:
    """One block per check: name, codes, what it means; ASCII-safe apart from the notes' own symbols."""
    width = max(len(c.check) for c in CATALOGUE)
    lines = []
    for c in CATALOGUE:
        lines.append(f"{c.check:<{width}}  {', '.join(c.codes)}")
        lines.append(f"{'':<{width}}  {c.notes}")
    lines.append("")
    lines.append(STATUS_NOTE)
    return "\n".join(lines) + "\n"
