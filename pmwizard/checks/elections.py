"""Changing a running network's validator set, the checked way: a snapshot of the network (`read_view`), the
pre-flight before an election is called (`preflight`), the vote (`vote`) and the verdict (`verdict`).
The CLI (`pmwizard validators ...`) and the wizard's journey both call these and only present the results.

Pre-flight, each a Finding (check `election.*`): the card's signatures; the power under Planetmint's 1/3 cap;
no election in progress (a second one makes the first inconclusive); the new member's P2P handshake proves
its node id and chain; its node has caught up; the proposer's key file belongs to a current validator.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmwizard.checks import network as net
from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.p2p import check_p2p_handshake
from pmwizard.core.cards import MemberCard
from pmwizard.core.election import Bundle, Election
from pmwizard.core.shown import visible
from pmwizard.core.valset import ValidatorSet, describe_change, named, power_needed
from pmwizard.errors import PmwizardError


@dataclass(frozen=True)
class NetworkView:
    """What one node (its RPC and its Planetmint API) says about the network right now."""

    rpc: str
    api: str
    local: net.NodeStatus
    tendermint_set: ValidatorSet
    planetmint_set: ValidatorSet
    in_progress: list[net.ElectionState] = field(default_factory=list)

    @property
    def chain_id(self) -> str:
        return self.local.chain_id

    @property
    def current(self) -> ValidatorSet:
        return self.tendermint_set

    def to_json(self) -> dict[str, Any]:
        vs = self.current
        return {"chain_id": self.chain_id, "height": self.local.height, "node_id": self.local.node_id,
                "validators": vs.to_json(), "total_power": vs.total, "largest_allowed_power": vs.cap,
                "power_needed_for_an_election": power_needed(vs.total), "liveness": vs.liveness(),
                "planetmint_agrees": vs.same_powers(self.planetmint_set),
                "elections_in_progress": [s.to_json() for s in self.in_progress]}


async def read_view(rpc: str, api: str, names: dict[str, tuple[str, str]] | None = None,
                    scan: int = net.SCAN_BLOCKS, timeout: float = 5.0) -> NetworkView:
    local, tm, pm = await asyncio.gather(net.status(rpc, timeout), net.tendermint_validators(rpc, timeout),
                                         net.planetmint_validators(api, timeout))
    tm = named(tm, names or {})
    pm = named(pm, names or {})
    ongoing = await net.elections_in_progress(rpc, api, local.height, pm, scan, timeout)
    return NetworkView(rpc, api, local, tm, pm, ongoing)


@dataclass(frozen=True)
class Change:
    """What an election would change: one member's power (0 removes it)."""

    action: str  # add | remove | set-power
    pub_key: str
    power: int
    node_id: str
    name: str = ""
    card: MemberCard | None = None

    def member_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"pub_key": self.pub_key, "node_id": self.node_id, "power": self.power,
                               "name": self.name}
        if self.card is not None:
            doc["card"] = self.card.to_json()
        return doc


def key_file_pub(key_file: Path) -> str:
    """The public key (base64) of a validator key file, checked; the private half is never returned."""
    from pmwizard.core.keys import _read_validator

    return base64.b64encode(_read_validator(key_file)[1].pub).decode()


def _f(check: str, target: str, status: Status, code: str, message: str, fix: str = "", **ev: Any) -> Finding:
    return Finding(f"election.{check}", target, status, code, message, fix=fix, evidence=ev)


async def preflight(view: NetworkView, change: Change, key_file: Path, member_rpc: str | None = None,
                    timeout: float = 5.0, nameservers: tuple[str, ...] = ()) -> list[Finding]:
    """Every check before calling the election; any FAIL/ERROR means: do not propose."""
    out: list[Finding] = []
    vs = view.planetmint_set
    who = change.name or change.node_id or change.pub_key
    if change.card is not None:
        if change.card.signed:
            out.append(_f("card", who, Status.PASS, "ok", f"{visible(who)}'s card is signed by its validator and "
                          "node keys"))
        else:
            out.append(_f("card", who, Status.WARN, "unsigned", "the card is not signed: nothing proves that "
                          "whoever sent it holds these keys", fix="ask the member for a signed card "
                          "(`pmwizard card export`)"))
    if change.power >= (1 / 3) * vs.total:
        out.append(_f("power", who, Status.FAIL, "over_cap",
                      f"power {change.power} is at or above 1/3 of the total power {vs.total}: Planetmint refuses "
                      f"it (InvalidPowerChange); the largest power allowed now is {vs.cap}",
                      fix=f"propose --power {vs.cap} or less (and raise it later with `validators set-power`)",
                      cap=vs.cap, total=vs.total))
    else:
        out.append(_f("power", who, Status.PASS, "ok", f"power {change.power} is allowed (the largest allowed now "
                      f"is {vs.cap}: 1/3 of the total {vs.total} or more is refused)", cap=vs.cap, total=vs.total))
    if view.in_progress:
        ids = ", ".join(s.election.election_id for s in view.in_progress)
        out.append(_f("ongoing", view.chain_id, Status.FAIL, "election_in_progress",
                      f"an election is in progress ({ids}); calling another now makes the first one "
                      "inconclusive when this one concludes",
                      fix="wait until it concludes "
                          f"(`pmwizard validators status {view.in_progress[0].election.election_id}`)",
                      elections=[s.election.election_id for s in view.in_progress]))
    else:
        out.append(_f("ongoing", view.chain_id, Status.PASS, "none", "no election in progress"))
    try:
        proposer = key_file_pub(key_file)
    except PmwizardError as exc:
        out.append(_f("proposer", str(key_file), Status.FAIL, "unreadable", str(exc),
                      fix="pass --key-file with this node's config/priv_validator_key.json"))
    else:
        if vs.find(proposer) is None:
            out.append(_f("proposer", str(key_file), Status.FAIL, "not_a_validator",
                          f"the key in {visible(key_file)} ({proposer}) is not a current validator's: Planetmint "
                          "refuses an election called by anyone else (InvalidProposer)",
                          fix="run this on a current validator's machine, with its priv_validator_key.json"))
        else:
            out.append(_f("proposer", str(key_file), Status.PASS, "ok", "the key file is a current validator's"))
    if change.action == "add" and change.card is not None:
        out.append(await _handshake(change.card, view.chain_id, timeout, nameservers))
        out.append(await _caught_up(member_rpc, change, view, timeout))
    return out


async def _handshake(card: MemberCard, chain_id: str, timeout: float, nameservers: tuple[str, ...]) -> Finding:
    host = card.hostname
    if nameservers:  # the same DNS as every other check (--nameserver), never the system resolver
        from pmwizard.checks.dnscheck import resolve_addresses
        from pmwizard.checks.lookup import Resolver
        from pmwizard.core.hostname import is_ip

        if not is_ip(host):
            found, _ = await resolve_addresses(Resolver(nameservers, timeout), host)
            host = found[0] if found else host
    f = await check_p2p_handshake(host, card.p2p_port, expect_node_id=card.node_id,
                                  expect_chain_id=chain_id, timeout=timeout)
    return Finding("election.handshake", f.target, f.status, f.code, f.message, f.fix, f.evidence)


async def _caught_up(member_rpc: str | None, change: Change, view: NetworkView, timeout: float) -> Finding:
    who = change.name or change.node_id
    if not member_rpc:
        return _f("caught_up", who, Status.WARN, "unknown",
                  "the member's node was not asked whether it has caught up",
                  fix="pass --member-rpc URL (its Tendermint RPC), or ask the member to run `pmwizard join --wait`")
    try:
        st = await net.status(member_rpc, timeout)
    except net.NetworkTrouble as exc:
        return _f("caught_up", who, Status.ERROR, "unreachable", str(exc), fix="check --member-rpc")
    if st.node_id != change.node_id:
        return _f("caught_up", who, Status.FAIL, "node_id_mismatch",
                  f"{visible(member_rpc)} is node {st.node_id}, the card says {change.node_id}",
                  fix="point --member-rpc at the new member's node")
    if st.catching_up or st.height + 2 < view.local.height:
        return _f("caught_up", who, Status.FAIL, "catching_up",
                  f"the member's node is at height {st.height}, the network at {view.local.height}: a validator that "
                  "has not caught up cannot sign and the network loses its power",
                  fix="wait until `pmwizard join --wait` says it caught up", height=st.height)
    return _f("caught_up", who, Status.PASS, "ok", f"the member's node is at height {st.height} (network "
              f"{view.local.height}), not catching up")


def bundle_for(view: NetworkView, change: Change, election_id: str, proposer: str) -> Bundle:
    before = view.planetmint_set
    after = before.after(change.pub_key, change.power, change.name, change.node_id)
    return Bundle(election_id, view.chain_id, change.action, change.member_json(), proposer, before.to_json(),
                  after.to_json(), after.sha256())


def change_lines(e: Election, names: dict[str, tuple[str, str]]) -> list[str]:
    return list(describe_change(named(e.set_before(), names), named(e.set_after(), names)))


async def wait_for(condition: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll an async `condition` until it returns something truthy or `timeout` passes (then None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every)


async def wait_for_election(api: str, election_id: str, timeout: float) -> Election | None:
    """Planetmint's CLI crashes when asked to approve an election its node does not have yet: wait for it."""
    async def have() -> Election | None:
        try:
            return await net.election(api, election_id, min(timeout, 5.0))
        except net.NetworkTrouble:
            return None

    return await wait_for(have, timeout)


async def agreement(members: list[tuple[str, str]], timeout: float = 5.0) -> list[dict[str, Any]]:
    """For each (rpc, api) pair: whether its Tendermint and Planetmint sets agree, and the set's fingerprint."""
    out = []
    for rpc, api in members:
        try:
            tm, pm = await asyncio.gather(net.tendermint_validators(rpc, timeout),
                                          net.planetmint_validators(api, timeout))
            out.append({"rpc": rpc, "api": api, "agree": tm.same_powers(pm), "tendermint": tm.sha256(),
                        "planetmint": pm.sha256()})
        except net.NetworkTrouble as exc:
            out.append({"rpc": rpc, "api": api, "agree": False, "error": str(exc)})
    return out


async def propose(view: NetworkView, change: Change, key_file: Path, cli: Any) -> Bundle:
    """Call the election through Planetmint's CLI (bounded by its timeout); the bundle for the voters."""
    from pmwizard.checks.planetmint_cli import propose_upsert

    eid = await asyncio.to_thread(propose_upsert, cli, change.pub_key, change.power, change.node_id, key_file)
    return bundle_for(view, change, eid, key_file_pub(key_file))


def change_from(target: str, action: str, power: int, view: NetworkView) -> Change:
    """The Change an operator asks for: a card file (add, or any action), else a current validator's node id,
    address or pub_key. InputError naming the input when it cannot be used."""
    from pmwizard.core.cards import read_cards
    from pmwizard.errors import InputError

    if action == "add" or Path(target).exists():
        checks = read_cards(Path(target))
        for bad in [c for c in checks if not c.valid or c.card is None]:
            raise InputError(bad.source, None, "; ".join(bad.errors))
        cards = [c.card for c in checks if c.card is not None]
        if len(cards) != 1:
            raise InputError(target, None, f"holds {len(cards)} cards; name one member")
        c = cards[0]
        if action == "add" and view.planetmint_set.find(c.pub_key):
            raise InputError(target, "pub_key", "this member is already a validator; use `validators set-power`")
        if action != "add" and not view.planetmint_set.find(c.pub_key):
            raise InputError(target, "pub_key", "this member is not a current validator")
        return Change(action, c.pub_key, 0 if action == "remove" else power, c.node_id, c.name, c)
    m = view.planetmint_set.find(target.strip()) or view.planetmint_set.find(target.strip().upper())
    if m is None:
        raise InputError(target, None, "not a card file and no current validator has this node id, address or "
                                       "pub_key (see `pmwizard validators show`)")
    if not m.node_id:
        raise InputError(target, None, "the validator's node id is unknown: pass its card (Planetmint's election "
                                       "names the node id)")
    return Change(action, m.pub_key, 0 if action == "remove" else power, m.node_id, m.name)
