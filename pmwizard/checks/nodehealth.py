"""Health of this node (issue 11.2): an RPC that answers is not a node that works. `node.peers` fails on 0
peers and names the cause (the duplicate-IP filter, wrong node IDs in the peers line, a firewall, peers not
running); `node.blocks` fails when no block arrives (none since genesis, rounds failing with transactions
waiting) or catching up does not move, reading the RPC twice over a short window.

Used by the local doctor (`pmwizard doctor` without cards) and the wizard's final check, through
doctor.health_member.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.rpcread import NodeView, read_node

if TYPE_CHECKING:
    from pmwizard.checks.lookup import Resolver

WINDOW = 2.0  # seconds between the two reads of the height
STALL_AFTER = 30.0


def read_p2p_config(home: Path) -> tuple[list[str], bool, str]:
    """persistent_peers entries, allow_duplicate_ip, and config.toml's path (empty list when unreadable)."""
    path = home / "config" / "config.toml"
    try:
        doc = tomllib.loads(path.read_text(errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return [], False, str(path)
    p2p = doc.get("p2p", {}) if isinstance(doc.get("p2p"), dict) else {}
    line = str(p2p.get("persistent_peers", ""))
    return [e.strip() for e in line.split(",") if e.strip()], bool(p2p.get("allow_duplicate_ip", False)), str(path)


async def _addresses(host: str, resolver: Resolver) -> tuple[list[str], str]:
    """A peer's addresses, and when it has none why not (`A lookup of HOST: no answer within 5 s`)."""
    from pmwizard.checks.dnscheck import resolve_addresses
    from pmwizard.core.hostname import is_ip

    if is_ip(host):
        return [host.strip("[]")], ""
    found, problems = await resolve_addresses(resolver, host)
    why = "" if found else (f"{problems[0].rdtype} lookup of {host}: {problems[0].detail}" if problems
                            else f"{host} has no A or AAAA record")
    return list(found), why


async def peers_finding(view: NodeView, home: Path | None, chain_id: str | None, nameservers: Sequence[str],
                        timeout: float) -> Finding:
    """node.peers: how many peers, and for none the cause with its fix."""
    from pmwizard.checks.p2p import check_p2p_handshake
    from pmwizard.core.peers import is_this_machine, lan_reason, parse_peer_address
    from pmwizard.core.shown import for_shell

    target = view.url
    entries, dup_ok, config = read_p2p_config(home) if home else ([], False, "config.toml")
    ev: dict = {"peers": len(view.peers), "persistent_peers": entries, "allow_duplicate_ip": dup_ok,
                "config": config}
    if view.peers and len(view.peers) >= len(entries):
        return Finding("node.peers", target, Status.PASS, "ok", f"{len(view.peers)} peers connected", evidence=ev)
    own = sum(v.power for v in view.validators if v.address == view.address)
    if not view.peers and not entries and own * 3 > view.total_power * 2:
        return Finding("node.peers", target, Status.PASS, "ok", "0 peers: this node holds more than 2/3 of the "
                       "voting power and makes blocks alone (a one-validator chain)", evidence=ev)
    if not entries:
        if view.peers:
            return Finding("node.peers", target, Status.PASS, "ok", f"{len(view.peers)} peers connected", evidence=ev)
        return Finding("node.peers", target, Status.FAIL, "none",
                       f"0 peers, and `[p2p] persistent_peers` in {config} is empty",
                       fix="Set the peers from the members' cards: `pmwizard configure --genesis GENESIS --peers "
                           "CARD... --yes`, then restart Tendermint", evidence=ev)
    peers = []
    for e in entries:
        try:
            peers.append(parse_peer_address(e))
        except ValueError:
            continue
    from pmwizard.checks.lookup import Resolver

    resolver = Resolver(tuple(nameservers), timeout, share=True)  # one for every peer: a name asked once
    resolved = await asyncio.gather(*(_addresses(p.host, resolver) for p in peers))
    table = {p.host: r[0] for p, r in zip(peers, resolved, strict=True)}
    unresolved = {p.host: r[1] for p, r in zip(peers, resolved, strict=True) if not r[0]}
    status = Status.FAIL if not view.peers else Status.WARN
    said = f"{len(view.peers)} of {len(entries)} peers connected"
    if unresolved:  # never handed to the system resolver behind --nameserver's back: DNS advice, not firewall
        return Finding("node.peers", target, status, "dns",
                       f"{said}: {len(unresolved)} peer name(s) do not resolve: {'; '.join(unresolved.values())}",
                       fix="This is DNS: Tendermint dials peers by the names in the peers line, so each must resolve "
                           "on this machine. Check the resolver it uses (or the one given with --nameserver) and "
                           f"those names' zones, e.g. `dig {for_shell(next(iter(unresolved)))}`; or ask the members "
                           "for their current cards", evidence={**ev, "unresolved": unresolved})
    why = None if dup_ok else lan_reason(list(table), lambda h: table.get(h, []), is_local=is_this_machine)
    if why:
        return Finding("node.peers", target, status, "duplicate_ip",
                       f"{said}: Tendermint's duplicate-IP filter drops them (`duplicate CONN` in its log): {why}",
                       fix=f"In {config} set `[p2p] allow_duplicate_ip = true` and `addr_book_strict = false` "
                           "(`pmwizard configure` does when it sees this), then restart Tendermint",
                       evidence={**ev, "why": why, "resolved": table})
    shakes = await asyncio.gather(*(
        check_p2p_handshake(table[p.host][0], p.port, expect_node_id=p.node_id.lower(),
                            expect_chain_id=chain_id, timeout=timeout) for p in peers))
    by_code: dict[str, list[str]] = {}
    for p, f in zip(peers, shakes, strict=True):
        by_code.setdefault(f.code, []).append(str(p))
    ev = {**ev, "handshakes": {str(p): f.code for p, f in zip(peers, shakes, strict=True)}}
    if by_code.get("node_id_mismatch") or by_code.get("chain_id_mismatch"):
        wrong = by_code.get("node_id_mismatch", []) + by_code.get("chain_id_mismatch", [])
        return Finding("node.peers", target, status, "wrong_peers",
                       f"{said}: {', '.join(wrong)} answer with another node ID or chain than the peers line says",
                       fix=f"Correct `[p2p] persistent_peers` in {config} from the members' current cards "
                           "(`pmwizard check p2p ID@HOST:PORT` shows who answers), then restart Tendermint",
                       evidence=ev)
    if by_code.get("timeout") and len(by_code["timeout"]) == len(peers):
        return Finding("node.peers", target, status, "firewall",
                       f"{said}: connections to every peer time out ({', '.join(by_code['timeout'])})",
                       fix="A firewall drops the P2P port: open it on the peers and here (`ufw allow 26656/tcp`) "
                           "and allow outgoing TCP to their P2P ports", evidence=ev)
    down = by_code.get("refused", []) + by_code.get("timeout", []) + by_code.get("not_tendermint", [])
    if down:
        return Finding("node.peers", target, status, "peers_down",
                       f"{said}: nothing usable answers at {', '.join(down)}",
                       fix="Ask those members to start Tendermint (and open their P2P port); check the ports in "
                           "the peers line match their cards", evidence=ev)
    return Finding("node.peers", target, status, "none",
                   f"{said}, although the peers answer the handshake; Tendermint may still be dialing",
                   fix="Wait a minute and run the doctor again; if it stays so, read Tendermint's log for "
                       "`Error dialing peer` or `rejected`", evidence=ev)


def blocks_finding(first: NodeView, second: NodeView, stall_after: float = STALL_AFTER) -> Finding:
    """node.blocks from two reads a short window apart."""
    target = second.url
    top = max([second.height, *second.peer_heights.values()])
    age = (datetime.now(UTC) - second.block_time).total_seconds() if second.block_time else None
    ev = {"height": second.height, "height_before": first.height, "highest_seen": top,
          "catching_up": second.catching_up, "seconds_since_block": None if age is None else round(age, 1),
          "round": second.round, "mempool_txs": second.mempool_txs}
    moved = second.height > first.height
    if second.catching_up:
        if moved:
            return Finding("node.blocks", target, Status.WARN, "catching_up",
                           f"this node is catching up: height {second.height} of {top}",
                           fix="Let it catch up; run the doctor again to see the height move", evidence=ev)
        return Finding("node.blocks", target, Status.FAIL, "stuck",
                       f"catching up, but the height stays at {second.height} (of {top})",
                       fix="It has nobody to sync from: see node.peers; check the peers run the same genesis "
                           "(`pmwizard doctor --genesis FILE CARD...`)", evidence=ev)
    if second.height == 0:
        return Finding("node.blocks", target, Status.FAIL, "no_block",
                       "no block since genesis: the validators have not made the first block",
                       fix="More than 2/3 of the voting power must be running and connected: see node.peers here "
                           "and `pmwizard doctor --network`", evidence=ev)
    waiting = second.round > 0 or second.step >= 3 or second.mempool_txs > 0
    if not moved and waiting and age is not None and age > stall_after:
        return Finding("node.blocks", target, Status.FAIL, "stalled",
                       f"no new block for {age:.0f} s (round {second.round}, {second.mempool_txs} transactions "
                       "waiting): the validators do not reach 2/3", fix="Run `pmwizard doctor --network` to see "
                       "which validators are not voting", evidence=ev)
    how = "advancing" if moved else ("idle: no transactions waiting" if not waiting else "waiting for the next block")
    return Finding("node.blocks", target, Status.PASS, "ok", f"height {second.height}, {how}", evidence=ev)


async def check_node_health(rpc_url: str, home: Path | None, *, chain_id: str | None = None,
                            nameservers: Sequence[str] = (), timeout: float = 5.0,
                            window: float = WINDOW) -> list[Finding]:
    """node.peers and node.blocks for this node; nothing when its RPC does not answer at all (rpc.status says
    so), an error finding when it answers but not as Tendermint 0.34 does."""
    first = await read_node(rpc_url, timeout=timeout, with_commits=False)
    if not first.trouble:
        await asyncio.sleep(min(window, timeout))
    second = first if first.trouble else await read_node(rpc_url, timeout=timeout, with_commits=False)
    if second.trouble:
        if first.height == 0 and not first.node_id:  # never answered /status: rpc.status has said why
            return []
        return [Finding("node.blocks", rpc_url, Status.ERROR, "unreadable", f"cannot read the node's state: "
                        f"{second.trouble}", fix="Check that this is Tendermint 0.34's RPC (`curl "
                        f"{rpc_url}/dump_consensus_state`) and that the node is not restarting")]
    return [await peers_finding(second, home, chain_id, nameservers, timeout), blocks_finding(first, second)]
