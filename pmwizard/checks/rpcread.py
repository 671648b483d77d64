"""What a running node says about the network, read from its Tendermint RPC (0.34): /status, /net_info,
/dump_consensus_state (validators, round, votes), /num_unconfirmed_txs and /commit for the last N heights.

Every read goes through checks/httpget (bounded by the timeout) and is counted, so the benchmark can say how
many calls one `doctor --network` costs. A node that does not answer is a NodeView with `trouble` set, never
an exception: the verdicts still run on the nodes that did answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pmwizard.checks.httpget import HttpTrouble, http_get
from pmwizard.core.shown import visible


@dataclass
class RpcClient:
    """One node's RPC root, with a shared count of the calls made (for the benchmark and the evidence)."""

    url: str
    timeout: float = 5.0
    calls: list[int] = field(default_factory=lambda: [0])
    clock: list[float] = field(default_factory=list)  # the node's HTTP Date minus our time, per reply

    async def get(self, path: str) -> Any:
        """The `result` of GET url/path; HttpTrouble when the node does not give one."""
        self.calls[0] += 1
        reply = await http_get(self.url.rstrip("/") + "/" + path, timeout=self.timeout, max_bytes=8 << 20)
        date = _http_date(reply.headers.get("date", ""))
        if date is not None:  # Go's HTTP server stamps every reply with its clock (1 s resolution)
            self.clock.append((date - datetime.now(UTC)).total_seconds())
        doc = reply.json()
        if not isinstance(doc, dict) or "result" not in doc:
            error = doc.get("error") if isinstance(doc, dict) else None
            raise HttpTrouble("bad", f"{path}: no result ({error or f'HTTP {reply.status}'})")
        return doc["result"]


def _http_date(text: str) -> datetime | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError, IndexError):
        return None


def parse_time(text: str) -> datetime | None:
    """Tendermint's RFC 3339 times carry nanoseconds, which datetime cannot read: cut to microseconds."""
    if not isinstance(text, str) or not text:
        return None
    head, dot, frac = text.rstrip("Z").partition(".")
    digits = "".join(ch for ch in frac if ch.isdigit())[:6]
    try:
        parsed = datetime.fromisoformat(head + (f".{digits}" if dot and digits else ""))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


@dataclass(frozen=True)
class Validator:
    address: str  # uppercase hex, as in commits
    power: int
    pub_key: str  # base64


@dataclass(frozen=True)
class CommitSigs:
    """Who signed the commit of `height`: address -> the signature's timestamp (None: absent)."""

    height: int
    block_time: datetime | None
    app_hash: str
    block_hash: str
    signed: dict[str, datetime | None]


@dataclass
class NodeView:
    """One node as its RPC describes it. `trouble`: why it could not be read (the other fields are empty)."""

    url: str
    trouble: str | None = None
    node_id: str = ""
    moniker: str = ""
    network: str = ""
    version: str = ""
    address: str = ""  # its validator address
    height: int = 0
    block_time: datetime | None = None
    block_hash: str = ""
    app_hash: str = ""
    catching_up: bool = False
    peers: dict[str, str] = field(default_factory=dict)  # node id -> remote IP
    peer_heights: dict[str, int] = field(default_factory=dict)  # node id -> height it reports in consensus
    validators: list[Validator] = field(default_factory=list)
    round: int = 0
    step: int = 0  # 1 NewHeight, 2 NewRound (idle without transactions), 3 Propose, 4 Prevote, ... 8 Commit
    prevoted: set[str] | None = None  # addresses with a prevote in the current round (None: unknown)
    mempool_txs: int = 0
    commits: list[CommitSigs] = field(default_factory=list)  # newest first
    clock_offset: float | None = None  # the node's clock minus this machine's, from its HTTP Date headers
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def total_power(self) -> int:
        return sum(v.power for v in self.validators)


async def read_commit(client: RpcClient, height: int) -> CommitSigs | None:
    try:
        result = await client.get(f"commit?height={height}")
        header = result["signed_header"]["header"]
        commit = result["signed_header"]["commit"]
        signed = {str(s.get("validator_address", "")).upper(): parse_time(s.get("timestamp", ""))
                  for s in commit.get("signatures") or [] if s.get("block_id_flag") == 2}
        return CommitSigs(height, parse_time(header.get("time", "")), str(header.get("app_hash", "")),
                          str(commit.get("block_id", {}).get("hash", "")), signed)
    except (HttpTrouble, KeyError, TypeError, AttributeError):
        return None


def _prevoted(round_state: dict[str, Any], validators: list[Validator], current_round: int) -> set[str] | None:
    """Addresses whose prevote for the current round this node has: 0.34 lists one string per validator in
    validator-set order, "nil-Vote" where none arrived (`votes` in /dump_consensus_state, `height_vote_set`
    in /consensus_state)."""
    for votes in round_state.get("votes") or round_state.get("height_vote_set") or []:
        if int(votes.get("round", -1)) == current_round:
            strings = votes.get("prevotes") or []
            if len(strings) != len(validators):
                return None
            return {v.address for v, s in zip(validators, strings, strict=True) if s != "nil-Vote"}
    return None


def _round_step(rs: dict[str, Any]) -> tuple[int, int]:
    """(round, step) from /dump_consensus_state's fields, or /consensus_state's "H/R/S" string."""
    if "round" in rs and "step" in rs:
        return int(rs["round"]), int(rs["step"])
    parts = [*str(rs.get("height/round/step", "0/0/0")).split("/"), "0", "0", "0"]
    return int(parts[1]), int(parts[2]) if parts[2].isdigit() else 0


async def read_node(url: str, *, blocks: int = 10, timeout: float = 5.0, calls: list[int] | None = None,
                    with_commits: bool = True) -> NodeView:
    """Everything the network doctor needs from one node. `blocks`: how many recent commits to read."""
    client = RpcClient(url, timeout, calls if calls is not None else [0])
    view = NodeView(url)
    try:
        status, net = await asyncio.gather(client.get("status"), client.get("net_info"))
        info, sync = status["node_info"], status["sync_info"]
        # moniker and version are the node's own words: escaped once here for every screen and report
        view.node_id, view.moniker = visible(str(info["id"]).lower()), visible(info.get("moniker", ""))
        view.network, view.version = visible(info["network"]), visible(info.get("version", ""))
        view.address = str(status.get("validator_info", {}).get("address", "")).upper()
        view.height = int(sync["latest_block_height"])
        view.block_time = parse_time(sync.get("latest_block_time", ""))
        view.block_hash, view.app_hash = str(sync.get("latest_block_hash", "")), str(sync.get("latest_app_hash", ""))
        view.catching_up = bool(sync.get("catching_up"))
        view.peers = {visible(str(p["node_info"]["id"]).lower()): visible(p.get("remote_ip", ""))
                      for p in net.get("peers") or []}
        consensus, mempool = await asyncio.gather(client.get("dump_consensus_state"),
                                                  client.get("num_unconfirmed_txs"))
        rs = consensus["round_state"]
        # the set of the height under way, in the order its vote lists use (also at height 0, where
        # /validators has no set yet)
        view.validators = [Validator(str(v["address"]).upper(), int(v["voting_power"]), str(v["pub_key"]["value"]))
                           for v in rs["validators"]["validators"]]
        view.round, view.step = _round_step(rs)
        view.prevoted = _prevoted(rs, view.validators, view.round)
        for p in consensus.get("peers") or []:
            prs = p.get("peer_state", {}).get("round_state", {})
            if "height" in prs:
                view.peer_heights[str(p.get("node_address", "")).split("@")[0].lower()] = int(prs["height"])
        view.mempool_txs = int(mempool.get("total", mempool.get("n_txs", 0)))
    except HttpTrouble as exc:
        view.trouble = exc.detail
        return view
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        view.trouble = f"not Tendermint's RPC reply ({exc!r})"
        return view
    finally:
        if client.clock:
            # a Date is whole seconds, cut down: the median offset plus half a second is the unbiased guess
            view.clock_offset = sorted(client.clock)[len(client.clock) // 2] + 0.5
    if with_commits and view.height > 0:
        heights = range(view.height, max(0, view.height - blocks), -1)
        found = await asyncio.gather(*(read_commit(client, h) for h in heights))
        view.commits = [c for c in found if c is not None]
    return view
