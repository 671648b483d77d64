"""Reading a running network: Tendermint's RPC (`/status`, `/validators`, `/genesis`, `/blockchain`, `/block`,
`/commit`) and Planetmint's HTTP API (`/api/v1/validators`, `/api/v1/transactions`). Every request is bounded
by a timeout; a node that does not answer is a NetworkTrouble naming the URL, never a traceback.

Planetmint has no endpoint that lists elections, so elections in progress are found the way a validator's
node sees them: the election transactions in the chain's recent blocks, each then read back (with its
votes) from Planetmint's API.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from pmwizard.checks.httpget import HttpTrouble, http_get
from pmwizard.core.election import (
    CHAIN_MIGRATION_ELECTION,
    VALIDATOR_ELECTION,
    VOTE,
    Election,
    Tally,
    election_from_tx,
    status_of,
    tally_from_txs,
)
from pmwizard.core.shown import visible
from pmwizard.core.valset import Member, ValidatorSet
from pmwizard.errors import PmwizardError

DEFAULT_RPC = "http://127.0.0.1:26657"
DEFAULT_API = "http://127.0.0.1:9984"
SCAN_BLOCKS = 2000  # how far back elections in progress are looked for
MAX_REPLY = 8 << 20


class NetworkTrouble(PmwizardError):
    """A node did not answer, or answered something that is not what Tendermint/Planetmint send."""


async def get_json(base: str, path: str, timeout: float, allow_404: bool = False, **params: Any) -> Any:
    url = base.rstrip("/") + path + (("?" + urlencode(params)) if params else "")
    try:
        reply = await http_get(url, timeout=timeout, max_bytes=MAX_REPLY)
    except HttpTrouble as exc:
        raise NetworkTrouble(f"{visible(url)}: {exc.detail}") from None
    if reply.status == 404 and allow_404:
        return None
    if reply.status != 200:
        raise NetworkTrouble(f"{visible(url)}: HTTP {reply.status}: "
                             f"{visible(reply.body[:200].decode('utf-8', 'replace'))}")
    try:
        return reply.json()
    except HttpTrouble as exc:
        raise NetworkTrouble(f"{visible(url)}: {exc.detail}") from None


async def rpc(base: str, method: str, timeout: float, **params: Any) -> Any:
    """A Tendermint JSON-RPC call over GET; its `result`."""
    doc = await get_json(base, f"/{method}", timeout, **params)
    if not isinstance(doc, dict) or "result" not in doc:
        err = doc.get("error") if isinstance(doc, dict) else None
        raise NetworkTrouble(f"{visible(base)}/{method}: " + (visible(json.dumps(err)[:300]) if err else
                                                               "not a Tendermint RPC answer"))
    return doc["result"]


@dataclass(frozen=True)
class NodeStatus:
    node_id: str
    chain_id: str
    moniker: str
    height: int
    catching_up: bool
    pub_key: str
    voting_power: int


async def status(base: str, timeout: float = 5.0) -> NodeStatus:
    r = await rpc(base, "status", timeout)
    try:
        ni, si, vi = r["node_info"], r["sync_info"], r["validator_info"]
        return NodeStatus(str(ni["id"]), str(ni["network"]), str(ni.get("moniker", "")),
                          int(si["latest_block_height"]), bool(si["catching_up"]), str(vi["pub_key"]["value"]),
                          int(vi.get("voting_power", 0)))
    except (KeyError, TypeError, ValueError):
        raise NetworkTrouble(f"{visible(base)}/status: not Tendermint's status answer") from None


async def tendermint_validators(base: str, timeout: float = 5.0, height: int | None = None) -> ValidatorSet:
    """Tendermint's `/validators` (every page)."""
    members: list[Member] = []
    page = 1
    while True:
        params: dict[str, Any] = {"page": page, "per_page": 100}
        if height:
            params["height"] = height
        r = await rpc(base, "validators", timeout, **params)
        try:
            for v in r["validators"]:
                members.append(Member(str(v["pub_key"]["value"]), int(v["voting_power"])))
            total = int(r["total"])
        except (KeyError, TypeError, ValueError):
            raise NetworkTrouble(f"{visible(base)}/validators: not Tendermint's validators answer") from None
        if len(members) >= total or page > 100:
            return ValidatorSet.of(members)
        page += 1


async def planetmint_validators(api: str, timeout: float = 5.0) -> ValidatorSet:
    """Planetmint's `/api/v1/validators`: the set its database holds (what elections are judged against)."""
    doc = await get_json(api, "/api/v1/validators", timeout)
    try:
        return ValidatorSet.of(Member(str(v["public_key"]["value"]), int(v["voting_power"])) for v in doc)
    except (KeyError, TypeError, ValueError):
        raise NetworkTrouble(f"{visible(api)}/api/v1/validators: not Planetmint's validators answer") from None


async def genesis(base: str, timeout: float = 10.0) -> dict[str, Any]:
    r = await rpc(base, "genesis", timeout)
    doc = r.get("genesis") if isinstance(r, dict) else None
    if not isinstance(doc, dict):
        raise NetworkTrouble(f"{visible(base)}/genesis: no genesis document in the answer")
    return doc


async def election(api: str, election_id: str, timeout: float = 5.0) -> Election | None:
    """The election transaction from Planetmint's API; None while this node does not have it."""
    tx = await get_json(api, f"/api/v1/transactions/{election_id}", timeout, allow_404=True)
    if tx is None:
        return None
    return election_from_tx(tx, f"{api}/api/v1/transactions/{election_id}")


async def election_height(api: str, election_id: str, timeout: float = 5.0) -> int | None:
    """The height of the block holding the election (Planetmint's `/api/v1/blocks?transaction_id=`)."""
    doc = await get_json(api, "/api/v1/blocks", timeout, allow_404=True, transaction_id=election_id)
    for item in doc if isinstance(doc, list) else [doc]:
        h = item.get("height") if isinstance(item, dict) else item
        if isinstance(h, int) and not isinstance(h, bool) and h > 0:
            return h
    return None


async def tally(rpc_url: str, api: str, e: Election, timeout: float = 5.0, scan: int = SCAN_BLOCKS) -> Tally:
    """The votes committed for `e`, read from the chain's blocks since the election (Planetmint keeps votes in
    its governance table, which `/api/v1/transactions?asset_ids=` does not search). A vote counts only when
    its DeliverTx succeeded."""
    top = (await status(rpc_url, timeout)).height
    start = await election_height(api, e.election_id, timeout) or max(1, top - scan + 1)
    votes = [tx for _, tx in await committed_txs(rpc_url, start, top, timeout)
             if tx.get("operation") == VOTE and _asset_id(tx) == e.election_id]
    return tally_from_txs(e, votes, f"{rpc_url}/block")


def _asset_id(tx: dict[str, Any]) -> str:
    assets = tx.get("assets") or tx.get("asset") or []
    first = assets[0] if isinstance(assets, list) and assets else assets
    return str(first.get("id", "")) if isinstance(first, dict) else ""


async def committed_txs(base: str, low: int, high: int, timeout: float = 5.0) -> list[tuple[int, dict[str, Any]]]:
    """(height, transaction) for every Planetmint transaction committed with success in blocks low..high,
    oldest first. Blocks without transactions are skipped without being fetched."""
    out: list[tuple[int, dict[str, Any]]] = []
    bottom = max(1, low)
    while bottom <= high:
        top = min(high, bottom + 19)
        r = await rpc(base, "blockchain", timeout, minHeight=bottom, maxHeight=top)
        heights = sorted(int(m["header"]["height"]) for m in r.get("block_metas", []) if int(m.get("num_txs", 0)) > 0)
        blocks = await asyncio.gather(*(rpc(base, "block", timeout, height=h) for h in heights))
        results = await asyncio.gather(*(rpc(base, "block_results", timeout, height=h) for h in heights))
        for h, block, res in zip(heights, blocks, results, strict=True):
            codes = [int((x or {}).get("code", 0)) for x in ((res or {}).get("txs_results") or [])]
            for i, tx in enumerate(_txs_in(block)):
                if tx is not None and (i >= len(codes) or codes[i] == 0):
                    out.append((h, tx))
        bottom = top + 1
    return out


async def signers(base: str, height: int, timeout: float = 5.0) -> set[str]:
    """Validator addresses whose signatures commit block `height`."""
    r = await rpc(base, "commit", timeout, height=height)
    try:
        sigs = r["signed_header"]["commit"]["signatures"]
        return {str(s["validator_address"]).upper() for s in sigs if s.get("signature")}
    except (KeyError, TypeError):
        raise NetworkTrouble(f"{visible(base)}/commit: not Tendermint's commit answer") from None


def _txs_in(block: Any) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = []
    for raw in (((block or {}).get("block") or {}).get("data") or {}).get("txs") or []:
        try:
            tx = json.loads(base64.b64decode(raw))
        except (binascii.Error, ValueError, TypeError):
            tx = None  # not a Planetmint transaction: not ours to judge
        out.append(tx if isinstance(tx, dict) else None)
    return out


async def recent_election_ids(base: str, height: int, scan: int = SCAN_BLOCKS, timeout: float = 5.0) -> list[str]:
    """Election transaction ids committed in the last `scan` blocks, newest first."""
    txs = await committed_txs(base, max(1, height - scan + 1), height, timeout)
    return [str(tx.get("id", "")) for _, tx in reversed(txs)
            if tx.get("operation") in (VALIDATOR_ELECTION, CHAIN_MIGRATION_ELECTION)]


@dataclass(frozen=True)
class ElectionState:
    election: Election
    tally: Tally
    status: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {**self.election.to_json(), "status": self.status, "explanation": self.why,
                "approved_power": self.tally.approved,
                "votes": [{"pub_key": k, "power": v} for k, v in sorted(self.tally.votes.items())]}


async def election_state(rpc_url: str, api: str, e: Election, current: ValidatorSet,
                         timeout: float = 5.0) -> ElectionState:
    t = await tally(rpc_url, api, e, timeout)
    st, why = status_of(e, t, current)
    return ElectionState(e, t, st, why)


async def elections_in_progress(rpc_url: str, api: str, height: int, current: ValidatorSet,
                                scan: int = SCAN_BLOCKS, timeout: float = 5.0) -> list[ElectionState]:
    out = []
    for eid in dict.fromkeys(await recent_election_ids(rpc_url, height, scan, timeout)):
        e = await election(api, eid, timeout)
        if e is None:
            continue
        state = await election_state(rpc_url, api, e, current, timeout)
        if state.status == "ongoing":
            out.append(state)
    return out
