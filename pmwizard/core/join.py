"""Joining a running network as a full node: the network's genesis exactly as it was launched (from a file or
from a member's RPC `/genesis`), peers from cards, and this node configured as a non-validator. A validator
is added later by an election (`pmwizard validators add`), never by editing the genesis of a running chain:
Tendermint then fails with "wrong set size" or a different chain hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmwizard.core.cards import MemberCard
from pmwizard.core.genesis import GenesisReport, layout, validate_genesis
from pmwizard.core.plan import Plan
from pmwizard.errors import InputError

BLOCK_DATA = ("blockstore.db", "state.db")


def node_has_blocks(home: Path) -> bool:
    """True when the node in `home` has stored blocks: its genesis is in use and must not change."""
    data = Path(home) / "data"
    return any((data / name).is_dir() and any((data / name).iterdir()) for name in BLOCK_DATA)


def genesis_from_rpc_doc(doc: dict[str, Any], source: str) -> bytes:
    """The bytes of the genesis a member's RPC returned, laid out as Tendermint writes genesis.json: the same
    document gives the same SHA-256 as the coordinator's file."""
    return layout(doc).encode("utf-8")


@dataclass(frozen=True)
class JoinPlan:
    plan: Plan
    report: GenesisReport
    validator: bool  # this node's key is in the genesis (then it is a founding member, not a joiner)


def join_plan(home: Path, genesis: bytes, source: str, peers: Sequence[MemberCard],
              moniker: str | None = None, rpc_laddr: str | None = None,
              expect_sha256: str | None = None) -> JoinPlan:
    """Install the network's genesis unchanged and point config.toml at the peers."""
    from pmwizard.core.keys import load_identity
    from pmwizard.core.tmconfig import configure_plan

    report = validate_genesis(genesis, source)
    if not report.valid:
        raise InputError(source, None, "; ".join(report.errors))
    if expect_sha256 and expect_sha256.strip().lower() != report.sha256:
        raise InputError(source, "sha256", f"the genesis has SHA-256 {report.sha256}, not the {expect_sha256.strip()} "
                                           "you were given: do not join until the two agree")
    others = [c for c in peers if c.node_id != load_identity(home).node_id]
    if not others:
        raise InputError("--peers", None, "no peer cards: a joining node needs at least one member to sync from")
    installed = Path(home) / "config" / "genesis.json"
    if node_has_blocks(home) and installed.exists() and installed.read_bytes() != genesis:
        raise InputError(str(installed), None, "this node already has blocks of another genesis; joining would "
                                               "mix two chains. Back up and reset its data first "
                                               "(`tendermint unsafe_reset_all --home ...`)")
    plan = configure_plan(home, Path(source), moniker=moniker, peers=peers, rpc_laddr=rpc_laddr,
                          genesis_data=genesis)
    ident = load_identity(home)
    return JoinPlan(plan, report, any(v.address == ident.address for v in report.validators))
