"""Planetmint elections as data: the election and vote transactions read defensively from JSON, the tally,
and the election bundle a proposer sends to the other validators.

Planetmint writes keys three ways: Tendermint's base64 (`/validators`, genesis, cards), upper-case hex in an
upsert-validator election's asset (`ed25519-base16`), and base58 in transaction inputs and outputs. Everything
here is converted to base64 so it can be compared with the live set and with cards.

The bundle (`pmwizard: election-bundle/1`) is what goes "via email": the election id, what it changes (the
member's card when there is one), the set before and the set expected after, and the SHA-256 of that
expected set. A voter's pmwizard re-reads the election from its own node and refuses to vote when the chain
says something other than the bundle.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pmwizard.core.valset import Member, ValidatorSet, power_needed
from pmwizard.errors import InputError

BUNDLE_FORMAT = "election-bundle/1"
MAX_BUNDLE_BYTES = 256 * 1024
VALIDATOR_ELECTION = "VALIDATOR_ELECTION"
CHAIN_MIGRATION_ELECTION = "CHAIN_MIGRATION_ELECTION"
VOTE = "VOTE"
_TXID = re.compile(r"^[0-9a-f]{64}$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str, source: str, field_name: str) -> bytes:
    n = 0
    for ch in text:
        i = _B58.find(ch)
        if i < 0:
            raise InputError(source, field_name, f"{text[:60]!r} is not base58")
        n = n * 58 + i
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def b58_to_b64(text: Any, source: str, field_name: str) -> str:
    if not isinstance(text, str) or not text:
        raise InputError(source, field_name, "missing or not a string")
    raw = b58decode(text, source, field_name)
    if len(raw) != 32:
        raise InputError(source, field_name, f"an ed25519 public key has 32 bytes, this one {len(raw)}")
    return base64.b64encode(raw).decode()


def b64_to_b58(pub_b64: str) -> str:
    return b58encode(base64.b64decode(pub_b64))


def check_election_id(text: str, source: str = "election id") -> str:
    t = text.strip().lower()
    if not _TXID.match(t):
        raise InputError(source, None, f"{text[:80]!r} is not an election id (64 hexadecimal characters)")
    return t


def election_public_key(election_id: str) -> str:
    """Where votes go: Planetmint's `election_id_to_public_key` (base58 of the id's bytes)."""
    return b58encode(bytes.fromhex(election_id))


@dataclass(frozen=True)
class Election:
    """What an election transaction says, keys in base64."""

    election_id: str
    kind: str  # VALIDATOR_ELECTION | CHAIN_MIGRATION_ELECTION
    proposer: str  # base64
    voters: dict[str, int]  # base64 pub_key -> vote tokens (= power when called)
    pub_key: str = ""  # the member the election is about (validator elections)
    power: int = 0
    node_id: str = ""

    @property
    def total(self) -> int:
        return sum(self.voters.values())

    @property
    def needed(self) -> int:
        return power_needed(self.total)

    def set_before(self) -> ValidatorSet:
        return ValidatorSet.of(Member(k, p) for k, p in self.voters.items())

    def set_after(self) -> ValidatorSet:
        return self.set_before().after(self.pub_key, self.power, node_id=self.node_id)

    def to_json(self) -> dict[str, Any]:
        return {"election_id": self.election_id, "kind": self.kind, "proposer": self.proposer,
                "member": {"pub_key": self.pub_key, "node_id": self.node_id, "power": self.power}
                if self.kind == VALIDATOR_ELECTION else None,
                "voters": [{"pub_key": k, "power": v} for k, v in sorted(self.voters.items())],
                "total_power": self.total, "power_needed": self.needed}


def _obj(doc: Any, key: str, source: str, kind: type = dict) -> Any:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InputError(source, key, f"missing or not a {kind.__name__}")
    return value


def election_from_tx(tx: Any, source: str) -> Election:
    """An election transaction as Planetmint's API returns it; InputError for anything else."""
    op = _obj(tx, "operation", source, str)
    if op not in (VALIDATOR_ELECTION, CHAIN_MIGRATION_ELECTION):
        raise InputError(source, "operation", f"{op[:40]!r} is not an election (a vote or an asset transaction?)")
    txid = check_election_id(_obj(tx, "id", source, str), source)
    inputs = _obj(tx, "inputs", source, list)
    if len(inputs) != 1 or not isinstance(inputs[0], dict) or len(inputs[0].get("owners_before") or []) != 1:
        raise InputError(source, "inputs", "an election has exactly one proposer")
    proposer = b58_to_b64(inputs[0]["owners_before"][0], source, "inputs[0].owners_before")
    voters: dict[str, int] = {}
    for i, out in enumerate(_obj(tx, "outputs", source, list)):
        keys = out.get("public_keys") if isinstance(out, dict) else None
        if not isinstance(keys, list) or len(keys) != 1:
            raise InputError(source, f"outputs[{i}]", "a voter output has one public key")
        try:
            amount = int(out.get("amount"))
        except (TypeError, ValueError):
            raise InputError(source, f"outputs[{i}].amount", "not a number") from None
        voters[b58_to_b64(keys[0], source, f"outputs[{i}].public_keys")] = amount
    if op == CHAIN_MIGRATION_ELECTION:
        return Election(txid, op, proposer, voters)
    assets = _obj(tx, "assets", source, list)
    data = assets[0].get("data") if assets and isinstance(assets[0], dict) else None
    if not isinstance(data, dict):
        raise InputError(source, "assets[0].data", "missing: an upsert-validator election names its member")
    key = data.get("public_key")
    hexkey = key.get("value") if isinstance(key, dict) else None
    try:
        raw = bytes.fromhex(hexkey) if isinstance(hexkey, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InputError(source, "assets[0].data.public_key", "not a 32-byte hexadecimal ed25519 key")
    power, node_id = data.get("power"), data.get("node_id")
    if not isinstance(power, int) or isinstance(power, bool) or power < 0:
        raise InputError(source, "assets[0].data.power", "not a power (a whole number >= 0)")
    return Election(txid, op, proposer, voters, base64.b64encode(raw).decode(), power,
                    node_id if isinstance(node_id, str) else "")


@dataclass(frozen=True)
class Tally:
    """Votes committed for one election: who voted (base64) and with how much."""

    votes: dict[str, int] = field(default_factory=dict)

    @property
    def approved(self) -> int:
        return sum(self.votes.values())


def tally_from_txs(election: Election, txs: Any, source: str) -> Tally:
    """Sum the VOTE transactions among `txs` (Planetmint's `/transactions?asset_ids=<election id>`)."""
    target = election_public_key(election.election_id)
    votes: dict[str, int] = {}
    for tx in txs if isinstance(txs, list) else []:
        if not isinstance(tx, dict) or tx.get("operation") != VOTE:
            continue
        owners = [o for i in tx.get("inputs") or [] if isinstance(i, dict) for o in i.get("owners_before") or []]
        amount = sum(int(o.get("amount", 0)) for o in tx.get("outputs") or []
                     if isinstance(o, dict) and o.get("public_keys") == [target])
        if owners and amount:
            voter = b58_to_b64(owners[0], source, "inputs[0].owners_before")
            votes[voter] = votes.get(voter, 0) + amount
    return Tally(votes)


def status_of(election: Election, tally: Tally, current: ValidatorSet) -> tuple[str, str]:
    """(ongoing | concluded | inconclusive, why), by Planetmint's rules: concluded once the votes reach 2/3 of
    the election's power; inconclusive when the validator set changed since it was called (its votes can
    then never count)."""
    if tally.approved >= election.needed:
        return "concluded", f"{tally.approved} of {election.total} power approved (needed {election.needed})"
    called_with = election.set_before()
    if not called_with.same_powers(current):
        return "inconclusive", ("the validator set changed after this election was called (another election "
                                "concluded first), so Planetmint will never conclude it: propose it again")
    return "ongoing", f"{tally.approved} of {election.total} power approved; {election.needed} needed"


@dataclass(frozen=True)
class Bundle:
    """The proposer's file for the other validators."""

    election_id: str
    chain_id: str
    action: str  # add | remove | set-power
    member: dict[str, Any]  # pub_key, node_id, power, name, and the card when there is one
    proposer: str
    set_before: list[dict[str, Any]]
    set_after: list[dict[str, Any]]
    set_after_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"pmwizard": BUNDLE_FORMAT, "election_id": self.election_id, "chain_id": self.chain_id,
                "action": self.action, "member": self.member, "proposer": self.proposer,
                "set_before": self.set_before, "set_after": self.set_after,
                "set_after_sha256": self.set_after_sha256}

    def text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def read_bundle(data: bytes, source: str) -> Bundle:
    """A bundle file, size-limited and checked field by field."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise InputError(source, None, f"larger than {MAX_BUNDLE_BYTES} bytes; not an election bundle")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(source, None, f"not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("pmwizard") != BUNDLE_FORMAT:
        raise InputError(source, "pmwizard", f"not an election bundle (expected \"{BUNDLE_FORMAT}\")")
    eid = check_election_id(_obj(doc, "election_id", source, str), source)
    member = _obj(doc, "member", source, dict)
    for k in ("pub_key",):
        _obj(member, k, source, str)
    power = member.get("power")
    if not isinstance(power, int) or isinstance(power, bool) or power < 0:
        raise InputError(source, "member.power", "not a power (a whole number >= 0)")
    action = _obj(doc, "action", source, str)
    if action not in ("add", "remove", "set-power"):
        raise InputError(source, "action", f"{action[:40]!r}: expected add, remove or set-power")
    return Bundle(eid, _obj(doc, "chain_id", source, str), action, member, _obj(doc, "proposer", source, str),
                  _obj(doc, "set_before", source, list), _obj(doc, "set_after", source, list),
                  _obj(doc, "set_after_sha256", source, str))


def bundle_mismatches(bundle: Bundle, election: Election) -> list[str]:
    """Where the chain's election differs from what the bundle says (empty: they agree)."""
    problems = []
    m = bundle.member
    if election.kind != VALIDATOR_ELECTION:
        return [f"the chain's election {election.election_id} is a {election.kind}, not a validator change"]
    if m.get("pub_key") != election.pub_key:
        problems.append(f"member pub_key: bundle {m.get('pub_key')}, chain {election.pub_key}")
    if m.get("power") != election.power:
        problems.append(f"power: bundle {m.get('power')}, chain {election.power}")
    if m.get("node_id") and m.get("node_id") != election.node_id:
        problems.append(f"node_id: bundle {m.get('node_id')}, chain {election.node_id}")
    if bundle.proposer != election.proposer:
        problems.append(f"proposer: bundle {bundle.proposer}, chain {election.proposer}")
    if bundle.set_after_sha256 != election.set_after().sha256():
        problems.append("the expected set after the change (set_after_sha256) differs from the chain's")
    return problems


def resolve_target(target: str) -> tuple[str, Bundle | None]:
    """(election id, its bundle or None) from what an operator typed: a bundle file's path, or an id."""
    from pathlib import Path

    from pmwizard.core.genesis import read_limited

    p = Path(target).expanduser()
    if target and p.exists():
        bundle = read_bundle(read_limited(p), target)
        return bundle.election_id, bundle
    return check_election_id(target), None
