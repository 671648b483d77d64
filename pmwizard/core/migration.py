"""A chain migration's new genesis.json. When a `chain-migration` election concludes, Planetmint records a new
ABCI chain (`<chain>-migrated-at-height-<H>`, not yet synced) and refuses blocks until Tendermint starts again
from a genesis with that chain id, the validator set Planetmint holds and its last block's app_hash. Planetmint
only tells the operator through `planetmint election show ID` (lines `key=value`, then `chain_id=`, `app_hash=`
and `validators=` followed by an indented JSON list), and that list names each key in Planetmint's base58, not
the base64 a genesis needs: copied by hand it makes a genesis Tendermint refuses. This module reads that output
and builds the genesis with pmwizard's writer, keeping the old genesis's consensus parameters and names.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from pmwizard.core.election import b58_to_b64
from pmwizard.core.genesis import (
    PUB_TYPE,
    _checked,
    canonical_time,
    default_params,
    layout,
    now_rfc3339,
    validate_genesis,
)
from pmwizard.core.genesis_json import GoSyntaxError, parse
from pmwizard.core.keys import validator_address
from pmwizard.errors import InputError

SUFFIX = "-migrated-at-height-"
# Planetmint logs the answer as one message: `[time] [INFO] (planetmint...) status=...` up to `... (MainProcess
# - pid: N)` after the last line; both wrappers are dropped, bare output is read as well
_FIELD = re.compile(r"(?:^|[\s:)])(status|chain_id|app_hash|validators)=(.*)$")
_UPSERT = re.compile(r"(?:^|[\s:)])node_id=")  # an upsert-validator election's data line
_LOG_TAIL = re.compile(r"\s*\(\S+\s*- pid: \d+\)$")


@dataclass(frozen=True)
class Migration:
    """What Planetmint says about a chain-migration election. chain_id/app_hash/validators are only printed
    while the migration waits for the new chain (concluded, not yet synced)."""

    status: str
    chain_id: str | None
    app_hash: str | None
    validators: tuple[tuple[str, int], ...]  # (pub_key base64, power)

    @property
    def ready(self) -> bool:
        return self.status == "concluded" and self.chain_id is not None and self.app_hash is not None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "chain_id": self.chain_id, "app_hash": self.app_hash,
                "validators": [{"pub_key": k, "power": p} for k, p in self.validators]}


def _validators(text: str, source: str) -> tuple[tuple[str, int], ...]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, "validators", f"not JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(doc, list) or not doc:
        raise InputError(source, "validators", "is not a list of validators")
    out = []
    for i, v in enumerate(doc):
        where = f"validators[{i}]"
        if not isinstance(v, dict) or not isinstance(v.get("pub_key"), dict):
            raise InputError(source, where, "has no pub_key")
        power = v.get("power")
        if isinstance(power, bool) or not isinstance(power, int) or power < 1:
            raise InputError(source, f"{where}.power", f"is {power!r}; a whole number above 0")
        value = v["pub_key"].get("value")
        pub = b58_to_b64(value, source, f"{where}.pub_key.value")  # Planetmint prints base58 here
        if len(base64.b64decode(pub)) != 32:
            raise InputError(source, f"{where}.pub_key.value", "is not a 32-byte ed25519 key")
        out.append((pub, power))
    return tuple(out)


def parse_election_show(text: str, source: str) -> Migration:
    """The output of `planetmint election show ID` (log prefixes such as `INFO:planetmint...:` tolerated)."""
    fields: dict[str, str] = {}
    lines = _LOG_TAIL.sub("", text.rstrip()).splitlines()
    for i, line in enumerate(lines):
        m = _FIELD.search(line)
        if m and m.group(1) == "validators":
            fields["validators"] = "\n".join([m.group(2), *lines[i + 1:]])
            break
        if m:
            fields[m.group(1)] = m.group(2).strip()
    if any(_UPSERT.search(line) for line in lines):
        raise InputError(source, "node_id", "this is a validator election (it names a node_id), not a chain "
                                            "migration: `validators status ID` follows it")
    if "status" not in fields:
        raise InputError(source, "status", "no `status=` line: not the output of `planetmint election show ID`")
    vals = _validators(fields["validators"], source) if "validators" in fields else ()
    return Migration(fields["status"], fields.get("chain_id"), fields.get("app_hash"), vals)


def migration_genesis(migration: Migration, old_genesis: bytes, source: str, old_source: str = "genesis.json",
                      genesis_time: str | None = None) -> str:
    """The new chain's genesis.json: Planetmint's chain id, validators and app_hash; the old genesis's
    consensus parameters, genesis_time (unless given) and validator names (matched by key); initial_height 1
    (Planetmint carries the block height over itself in InitChain). Refuses an election not concluded."""
    if migration.status != "concluded":
        raise InputError(source, "status", f"the election is {migration.status!r}, not concluded: no new chain "
                                           "yet (check it with `pmwizard validators status ID`)")
    if not migration.ready:
        raise InputError(source, "chain_id", "Planetmint shows no pending new chain: the migration has already "
                                             "been completed (the node runs the new chain) or this is not the "
                                             "node's own output")
    chain = migration.chain_id or ""
    if SUFFIX not in chain or not 0 < len(chain.encode()) <= 50 or any(not 32 < ord(c) < 127 for c in chain):
        raise InputError(source, "chain_id", f"{chain!r} is not a migrated chain id Tendermint accepts "
                                             f"(`<chain>{SUFFIX}<height>`, at most 50 characters)")
    app_hash = migration.app_hash or ""
    try:
        bytes.fromhex(app_hash)
    except ValueError:
        raise InputError(source, "app_hash", f"{app_hash!r} is not hex") from None
    report = validate_genesis(old_genesis, old_source)
    if not report.valid:
        raise InputError(old_source, None, "; ".join(report.errors))
    try:
        old = parse(old_genesis)
    except GoSyntaxError as exc:  # cannot happen: it was just validated
        raise InputError(old_source, None, str(exc)) from None
    base = (report.chain_id or "").split(SUFFIX)[0]
    if chain.split(SUFFIX)[0] != base:
        raise InputError(old_source, "chain_id", f"is {report.chain_id!r}, but the migration moves chain "
                                                 f"{chain.split(SUFFIX)[0]!r} to {chain!r}: not this node's "
                                                 "network (--home)")
    names = {v.pub_key: v.name for v in report.validators}
    validators = [{"address": validator_address(base64.b64decode(k)), "pub_key": {"type": PUB_TYPE, "value": k},
                   "power": str(p), "name": names.get(k, "")} for k, p in migration.validators]
    # the old genesis's time by default: every validator then builds the same file (same SHA-256)
    when = canonical_time(genesis_time) if genesis_time else (report.genesis_time or now_rfc3339())
    doc = {"genesis_time": when, "chain_id": chain,
           "initial_height": "1", "consensus_params": old.get("consensus_params") or default_params(),
           "validators": validators, "app_hash": app_hash.upper()}
    return _checked(layout(doc), "<migration genesis>")
