"""The network doctor's verdicts: who signs, who is connected, can the chain still make blocks, does it.

Pure functions over NodeViews (checks/rpcread) and the members' names, so the verdicts are the same in the CLI,
the `--watch` loop and the TUI's Network view. The first view is this node's; the others are the member RPCs
the operator gave. Tendermint needs MORE than 2/3 of the voting power prevoting and precommitting to commit a
block, which is what `margin`, `halt` and `stall` are about.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.rpcread import CommitSigs, NodeView, Validator
from pmwizard.core.shown import visible

# A commit lists the precommits its block's proposer had in hand; a vote that came a moment late is left out,
# so single misses are normal. Three in a row means the validator is not signing; losing more than a third of
# the commits read is worth a warning.
NOT_SIGNING_STREAK = 3
CLOCK_TOLERANCE = 3.0  # seconds between a validator's vote time and the commit's median (BFT) time
LOW_DISK = 0.05


@dataclass(frozen=True)
class Member:
    """A validator as the consortium knows it (from a card, else the genesis). `addresses`: what its hostname
    resolves to now (empty: not looked up)."""

    name: str
    address: str  # validator address, uppercase hex
    node_id: str | None = None
    hostname: str | None = None
    addresses: tuple[str, ...] = ()


def _pct(part: int, total: int) -> str:
    return f"{100 * part / total:.0f}%" if total else "0%"


def _names(names: Sequence[str]) -> str:
    return ", ".join(sorted(names)) if names else "none"


@dataclass(frozen=True)
class Signing:
    """One validator's record over the commits read: `signed`/`read` commits, `streak` consecutive newest
    commits without its signature, and whether it prevoted in the node's current round (None: unknown)."""

    signed: int
    read: int
    streak: int
    prevoted: bool | None

    @property
    def missed(self) -> int:
        return self.read - self.signed


def signing(v: Validator, base: NodeView, use_prevotes: bool = False) -> Signing:
    """`use_prevotes`: the height is overdue, so a prevote missing now means the validator is not voting
    (in a healthy height some prevotes are simply still on their way)."""
    signed = sum(v.address in c.signed for c in base.commits)
    streak = 0
    for c in base.commits:  # newest first
        if v.address in c.signed:
            break
        streak += 1
    prevoted = None if base.prevoted is None or not use_prevotes else v.address in base.prevoted
    return Signing(signed, len(base.commits), streak, prevoted)


class Network:
    """The views and the names, with the questions the verdicts ask."""

    def __init__(self, views: Sequence[NodeView], members: Sequence[Member], now: datetime,
                 stall_after: float = 30.0) -> None:
        self.views = list(views)
        self.live = [v for v in views if v.trouble is None]
        self.base = self.live[0] if self.live else None
        self.members = {m.address: m for m in members}
        self.now = now
        self.stall_after = stall_after

    @property
    def waiting(self) -> bool:
        """This node is inside a height (a proposal or votes under way, transactions waiting), not idle: with
        `create_empty_blocks = false` an idle node sits in NewRound until a transaction comes."""
        b = self.base
        return b is not None and (b.round > 0 or b.step >= 3 or b.mempool_txs > 0 or b.height == 0)

    @property
    def overdue(self) -> bool:
        """Waiting for a block for longer than `stall_after` seconds."""
        age = self.age()
        return self.waiting and age is not None and age > self.stall_after

    def signing(self, v: Validator) -> Signing:
        assert self.base is not None
        return signing(v, self.base, use_prevotes=self.base.round > 0 or self.overdue)

    def name(self, address: str) -> str:
        if address in self.members:
            return visible(self.members[address].name)
        for v in self.live:
            if v.address == address and v.moniker:
                return v.moniker
        return address[:12]

    def node_id(self, address: str) -> str | None:
        m = self.members.get(address)
        if m and m.node_id:
            return m.node_id
        return next((v.node_id for v in self.live if v.address == address), None)

    def connected(self, address: str) -> bool | None:
        """Whether this node has a P2P connection to that validator's node (None: its node ID is unknown)."""
        assert self.base is not None
        if address == self.base.address:
            return True
        node_id = self.node_id(address)
        return None if node_id is None else node_id in self.base.peers

    def voting(self, v: Validator) -> bool:
        """Best knowledge of whether `v` takes part in consensus now: its prevote in a round that needed more
        than one try, else a signature on one of the two newest commits and (when known) a live connection."""
        assert self.base is not None
        s = self.signing(v)
        if v.address == self.base.address:
            return not self.base.catching_up
        if s.prevoted is not None:  # a vote cast just before the node went away still counts: ask the link too
            return s.prevoted and self.connected(v.address) is not False
        recent = s.read == 0 or s.streak < min(NOT_SIGNING_STREAK, s.read)
        # in a consortium every node dials every other: a validator this node lost is down or cut off. Not
        # when this node has no peers at all: then it is this node that is cut off, and says nothing of them.
        return recent and (not self.base.peers or self.connected(v.address) is not False)

    def age(self) -> float | None:
        if self.base is None or self.base.block_time is None:
            return None
        return (self.now - self.base.block_time).total_seconds()


def validator_findings(net: Network) -> list[Finding]:
    base = net.base
    assert base is not None
    out = []
    total = base.total_power
    for v in base.validators:
        name, s, connected = net.name(v.address), net.signing(v), net.connected(v.address)
        ev = {"member": name, "address": v.address, "power": v.power, "power_share": _pct(v.power, total),
              "signed": s.signed, "commits_read": s.read, "missed": s.missed, "consecutive_missed": s.streak,
              "prevoted": s.prevoted, "connected": connected, "node_id": net.node_id(v.address)}
        view = next((x for x in net.live if x.address == v.address), None)
        if view is not None:
            ev.update(height=view.height, catching_up=view.catching_up, version=view.version)
        link = {True: "connected", False: "NOT connected to this node", None: "connection unknown"}[connected]
        if v.address == base.address:
            link = "this node"
        said = f"{name} (power {v.power}, {_pct(v.power, total)}): signed {s.signed} of the last {s.read} commits"
        streak = bool(s.read and s.streak >= min(NOT_SIGNING_STREAK, s.read))
        if streak or (net.overdue and not net.voting(v)):
            why = (f"missed the last {s.streak} commits" if streak else
                   "no prevote in this overdue height" if s.prevoted is False else "gone during this overdue height")
            out.append(Finding("network.validator", name, Status.FAIL, "not_signing", f"{said}, {why}; {link}",
                               fix=f"Ask {name} to check its node (`pmwizard doctor` there): Tendermint running, "
                                   "peers connected, its priv_validator_key.json the one in the genesis", evidence=ev))
        elif s.missed * 3 > s.read:
            out.append(Finding("network.validator", name, Status.WARN, "missed", f"{said}; {link}",
                               fix=f"{name} misses some blocks: check its load, disk and network (`pmwizard doctor "
                                   "--network` on its machine)", evidence=ev))
        else:
            out.append(Finding("network.validator", name, Status.PASS, "ok", f"{said}; {link}", evidence=ev))
    return out


def consensus_finding(net: Network) -> Finding:
    base = net.base
    assert base is not None
    total = base.total_power
    up = [v for v in base.validators if net.voting(v)]
    down = [v for v in base.validators if v not in up]
    up_power = sum(v.power for v in up)
    down_names = [net.name(v.address) for v in down]
    age = net.age()
    ev = {"height": base.height, "round": base.round, "step": base.step,
          "seconds_since_block": None if age is None else round(age, 1),
          "voting_power": up_power, "total_power": total, "not_voting": down_names,
          "mempool_txs": base.mempool_txs}
    need = "more than 2/3 is needed"
    fix_down = (f"Bring {_names(down_names)} back: start Tendermint there and check its peers (`pmwizard doctor` "
                "on each)"
                if down_names else "Check every validator's node (`pmwizard doctor` on each)")
    if net.overdue and up_power * 3 <= total * 2:
        return Finding("network.consensus", "network", Status.FAIL, "stall",
                       f"no block for {age:.0f} s: validators {_names(down_names)} ({_pct(total - up_power, total)} "
                       f"of power) are not voting; {need}", fix=fix_down, evidence=ev)
    if net.overdue and base.round > 0:
        return Finding("network.consensus", "network", Status.FAIL, "stall",
                       f"no block for {age:.0f} s at height {base.height + 1}, round {base.round}, although "
                       f"{_pct(up_power, total)} of power seems up", fix=fix_down, evidence=ev)
    if up_power * 3 <= total * 2:
        return Finding("network.consensus", "network", Status.FAIL, "halt",
                       f"the chain cannot make blocks: {_names(down_names)} ({_pct(total - up_power, total)} of power) "
                       f"are not voting (or not connected to this node); {need}", fix=fix_down, evidence=ev)
    critical = [net.name(v.address) for v in up if (up_power - v.power) * 3 <= total * 2]
    if critical:
        return Finding("network.consensus", "network", Status.WARN, "margin",
                       f"one more failure halts the chain: {_names(critical)} must stay up"
                       + (f" ({_names(down_names)} not voting)" if down_names else ""),
                       fix=fix_down if down_names else "Add validators or power so one failure is not a halt",
                       evidence={**ev, "must_stay_up": critical})
    idle = "" if age is None else f", last block {age:.0f} s ago"
    return Finding("network.consensus", "network", Status.PASS, "ok",
                   f"{len(up)} of {len(base.validators)} validators voting ({_pct(up_power, total)} of power){idle}",
                   evidence=ev)


def node_findings(net: Network) -> list[Finding]:
    """network.node per RPC read: answering, its height, catching up (with the height it is heading for)."""
    top = max([v.height for v in net.live] + [h for v in net.live for h in v.peer_heights.values()], default=0)
    out = []
    for v in net.views:
        who = v.moniker or v.url
        if v.trouble:
            out.append(Finding("network.node", v.url, Status.ERROR, "unreachable", f"RPC {v.url}: {v.trouble}",
                               fix="Start that node's Tendermint, or give its RPC address with --rpc NAME=URL "
                                   "(`[rpc] laddr` in its config.toml)", evidence={"url": v.url}))
            continue
        ev = {"url": v.url, "node_id": v.node_id, "height": v.height, "highest_seen": top,
              "catching_up": v.catching_up, "version": v.version, "peers": len(v.peers)}
        if v.catching_up or (top - v.height > 2 and not v.peers):
            out.append(Finding("network.node", who, Status.WARN, "catching_up",
                               f"{who} is catching up: height {v.height} of {top}",
                               fix="Wait while it catches up; if the height does not move, check its peers "
                                   "(`pmwizard doctor` on that node)", evidence=ev))
        else:
            out.append(Finding("network.node", who, Status.PASS, "ok",
                               f"{who} at height {v.height}, {len(v.peers)} peer{'' if len(v.peers) == 1 else 's'}",
                               evidence=ev))
    return out


def version_finding(net: Network) -> Finding | None:
    versions = {v.moniker or v.url: v.version for v in net.live}
    if len(versions) < 2:
        return None
    if len(set(versions.values())) > 1:
        return Finding("network.version", "network", Status.WARN, "skew",
                       "nodes run different Tendermint versions: "
                       + ", ".join(f"{k} {x}" for k, x in sorted(versions.items())),
                       fix="Run the same Tendermint 0.34 release on every node (Planetmint 2.5 pins 0.34.24)",
                       evidence={"versions": versions})
    return Finding("network.version", "network", Status.PASS, "ok",
                   f"every node read runs {next(iter(versions.values()))}", evidence={"versions": versions})


def clock_findings(net: Network) -> list[Finding]:
    """A validator's vote timestamps come from its own clock; the block time is their power-weighted median
    (BFT time), so a vote far from the median shows that validator's clock is off."""
    base = net.base
    assert base is not None
    offsets: dict[str, list[float]] = {}
    for c in base.commits:
        times = [t for t in c.signed.values() if t is not None]
        if len(times) < 2:
            continue
        middle = statistics.median(t.timestamp() for t in times)
        for addr, t in c.signed.items():
            if t is not None:
                offsets.setdefault(addr, []).append(t.timestamp() - middle)
    out = []
    for addr, values in offsets.items():
        off = statistics.median(values)
        name = net.name(addr)
        ev = {"member": name, "offset_seconds": round(off, 2), "commits": len(values)}
        if abs(off) > CLOCK_TOLERANCE:
            out.append(Finding("network.clock", name, Status.WARN, "skew",
                               f"{name}'s clock is off by {off:+.0f} s (its votes against the block time)",
                               fix=f"On {name}: enable time sync (`timedatectl set-ntp true`, chrony or "
                                   "systemd-timesyncd) and check `timedatectl status`", evidence=ev))
        else:
            out.append(Finding("network.clock", name, Status.PASS, "ok",
                               f"{name}'s clock agrees with the block time ({off:+.1f} s)", evidence=ev))
    return out


def machine_clock_findings(net: Network) -> list[Finding]:
    """The clocks of the nodes read (their RPC replies' Date) against this machine's and each other: when
    every node agrees and only this machine differs, it is this machine's clock that is off."""
    offsets = {(v.moniker or v.url): v.clock_offset for v in net.live if v.clock_offset is not None}
    if not offsets:
        return []
    middle = statistics.median(offsets.values())
    fix_here = ("Enable time sync on this machine (`timedatectl set-ntp true`, chrony or systemd-timesyncd) "
                "and check `timedatectl status`")
    out = []
    if abs(middle) > CLOCK_TOLERANCE:
        out.append(Finding("network.clock", "this machine", Status.WARN, "skew",
                           f"this machine's clock is off by {-middle:+.0f} s against the nodes' clocks",
                           fix=fix_here, evidence={"node_offsets_seconds": offsets}))
    else:
        out.append(Finding("network.clock", "this machine", Status.PASS, "ok",
                           f"this machine's clock agrees with the nodes' ({-middle:+.0f} s)",
                           evidence={"node_offsets_seconds": offsets}))
    for who, off in offsets.items():
        if abs(off - middle) > CLOCK_TOLERANCE:
            out.append(Finding("network.clock", who, Status.WARN, "skew",
                               f"{who}'s clock is off by {off - middle:+.0f} s against the other nodes",
                               fix=f"On {who}: {fix_here[0].lower()}{fix_here[1:].replace('this machine', 'it')}",
                               evidence={"node_offsets_seconds": offsets}))
    return out


def peer_findings(net: Network) -> list[Finding]:
    """network.peer: each member this node should be connected to, and whether the IP it is connected on is
    what the member's host name resolves to now (a peers line or address book left on an old IP)."""
    base = net.base
    assert base is not None
    out = []
    for m in net.members.values():
        if not m.node_id or m.node_id == base.node_id:
            continue
        ev = {"member": m.name, "node_id": m.node_id, "hostname": m.hostname, "dns": list(m.addresses)}
        ip = base.peers.get(m.node_id)
        if ip is None:
            out.append(Finding("network.peer", m.name, Status.WARN, "not_connected",
                               f"this node has no connection to {m.name} ({m.node_id})",
                               fix=f"Check that {m.name} runs and that its entry in `[p2p] persistent_peers` is "
                                   f"{m.node_id}@{m.hostname or 'HOST'}:PORT (`pmwizard check p2p`)", evidence=ev))
        elif m.addresses and ip not in m.addresses:
            out.append(Finding("network.peer", m.name, Status.WARN, "stale_dns",
                               f"{m.name} is connected on {ip}, but {m.hostname} resolves to "
                               f"{', '.join(m.addresses)}: the peers line points at an old IP",
                               fix=f"Put the host name in `[p2p] persistent_peers` ({m.node_id}@{m.hostname}:PORT), "
                                   "not an IP, and restart Tendermint so it dials the current address",
                               evidence={**ev, "remote_ip": ip}))
        else:
            out.append(Finding("network.peer", m.name, Status.PASS, "ok", f"connected to {m.name} on {ip}",
                               evidence={**ev, "remote_ip": ip}))
    return out


def agreement_finding(tops: dict[str, CommitSigs | None], height: int) -> Finding | None:
    """network.app_hash: the nodes' block hash and app hash at one height they all have."""
    seen = {who: c for who, c in tops.items() if c is not None}
    if len(seen) < 2:
        return None
    ev = {"height": height, "app_hash": {w: c.app_hash for w, c in seen.items()},
          "block_hash": {w: c.block_hash for w, c in seen.items()}}
    common = statistics.mode(c.app_hash for c in seen.values())
    odd = sorted(w for w, c in seen.items() if c.app_hash != common)
    forks = sorted(w for w, c in seen.items() if c.block_hash != statistics.mode(x.block_hash for x in seen.values()))
    if odd or forks:
        who = _names(odd or forks)
        return Finding("network.app_hash", "network", Status.FAIL, "diverged",
                       f"{who}: app hash differs from the others at height {height}",
                       fix=f"Stop {who}; reset its data (`tendermint unsafe_reset_all`, after a backup) and its "
                           "Planetmint/Tarantool data, and let it sync from the others; check it runs the same "
                           "Planetmint version", evidence=ev)
    return Finding("network.app_hash", "network", Status.PASS, "ok",
                   f"{len(seen)} nodes agree on block and app hash at height {height}", evidence=ev)


def disk_finding(path: str, free: int, total: int) -> Finding:
    share = free / total if total else 0.0
    ev = {"path": path, "free_bytes": free, "total_bytes": total, "free_share": round(share, 4)}
    if share < LOW_DISK:
        return Finding("network.disk", path, Status.FAIL, "low",
                       f"disk for the Tendermint data below 5%: {share:.1%} free on {path}",
                       fix="Free space on that disk or move the home to a larger one; Tendermint halts when it "
                           "cannot write a block", evidence=ev)
    return Finding("network.disk", path, Status.PASS, "ok", f"{share:.0%} free for {path}", evidence=ev)


def verdicts(views: Sequence[NodeView], members: Sequence[Member], now: datetime, *,
             stall_after: float = 30.0) -> list[Finding]:
    """Every finding the views support (those needing a second read, app hash and disk, come from run)."""
    net = Network(views, members, now, stall_after)
    out = node_findings(net)
    if net.base is None:
        return out
    out.append(consensus_finding(net))
    out += validator_findings(net) + peer_findings(net) + clock_findings(net) + machine_clock_findings(net)
    version = version_finding(net)
    if version:
        out.append(version)
    return out
