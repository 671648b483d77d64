"""genesis.json for Tendermint 0.34: validated with Tendermint's rules (see tmjson), built from member
cards, extended with new members, and fingerprinted (SHA-256 of the file's bytes, what
`tendermint node --genesis_hash` compares), in Tendermint's own key order and 2-space layout.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmwizard.core.cards import MemberCard
from pmwizard.core.genesis_docs import convert, docs_problems, parse_loose
from pmwizard.core.tmjson import MAX_TOTAL_VOTING_POWER, ZERO_TIME, GenesisError, decode_genesis, parse_time
from pmwizard.errors import InputError

MAX_GENESIS_BYTES = 4 * 1024 * 1024
PUB_TYPE = "tendermint/PubKeyEd25519"


@dataclass(frozen=True)
class GenesisValidator:
    address: str
    pub_key: str
    power: int
    name: str


@dataclass(frozen=True)
class GenesisReport:
    """The verdict on one genesis document. `converted`: the 0.34 document offered for a docs-shaped file."""

    source: str
    valid: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    sha256: str
    chain_id: str | None
    genesis_time: str | None
    validators: tuple[GenesisValidator, ...]
    converted: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "valid": self.valid, "errors": list(self.errors),
                "warnings": list(self.warnings), "sha256": self.sha256, "chain_id": self.chain_id,
                "genesis_time": self.genesis_time,
                "validators": [{"address": v.address, "pub_key": v.pub_key, "power": v.power, "name": v.name}
                               for v in self.validators],
                "converted_available": self.converted is not None}


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def validate_genesis(data: bytes, source: str) -> GenesisReport:
    """Tendermint 0.34's verdict on `data`; never raises for bad content."""
    import base64

    digest = fingerprint(data)
    try:
        doc = decode_genesis(data)
    except GenesisError as exc:
        loose = parse_loose(data)
        problems = docs_problems(loose)
        if problems:
            converted = convert(loose, now_rfc3339())
            note = (f"{source}: shaped like the Planetmint docs' example, which Tendermint 0.34 cannot load; "
                    "a converted 0.34 document is offered")
            same = f"{exc.field}:" if exc.field else None
            errors = (f"{source}: {exc}", *(f"{source}: {p}" for p in problems if not same or not p.startswith(same)))
            return GenesisReport(source, False, errors, (note,), digest,
                                 loose.get("chain_id") if isinstance(loose.get("chain_id"), str) else None,
                                 None, (), converted)
        tag = " (Tendermint would accept the file, then panic at node start)" if exc.panic else ""
        return GenesisReport(source, False, (f"{source}: {exc}{tag}",), (), digest, None, None, ())
    warnings = []
    if not doc.validators:
        warnings.append(f"{source}: validators: none; the node starts only if the application supplies them "
                        "(Planetmint does not)")
    if doc.genesis_time == ZERO_TIME:
        warnings.append(f"{source}: genesis_time: the zero time makes every node use its own start time")
    validators = tuple(GenesisValidator(v.address, base64.b64encode(v.pub_key).decode(), v.power, v.name)
                       for v in doc.validators)
    return GenesisReport(source, True, (), tuple(warnings), digest, doc.chain_id, doc.genesis_time, validators)


def read_genesis(path: Path) -> GenesisReport:
    """Read (size-limited) and validate a genesis file; InputError when it cannot be read at all."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_GENESIS_BYTES:
            raise InputError(str(path), None, f"{size} bytes; a genesis file here is at most 4 MiB")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), None, "does not exist") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read ({exc.strerror})") from None
    return validate_genesis(data, str(path))


def now_rfc3339() -> str:
    """Now, UTC, with nanoseconds, formatted as Go's RFC3339Nano (trailing zeros of the fraction dropped)."""
    ns = time.time_ns()
    secs, frac = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    digits = f"{frac:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def random_chain_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "planetmint-" + "".join(secrets.choice(alphabet) for _ in range(6))


def default_params() -> dict[str, Any]:
    """types.DefaultConsensusParams() of 0.34, as `tendermint init` writes them."""
    return {"block": {"max_bytes": "22020096", "max_gas": "-1", "time_iota_ms": "1000"},
            "evidence": {"max_age_num_blocks": "100000", "max_age_duration": "172800000000000",
                         "max_bytes": "1048576"},
            "validator": {"pub_key_types": ["ed25519"]}, "version": {}}


def layout(doc: dict[str, Any]) -> str:
    """tmjson.MarshalIndent(doc, "", "  "): 2 spaces, Go's HTML-safe escapes; no final newline (as SaveAs)."""
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _validator(card: MemberCard, power: int) -> dict[str, Any]:
    return {"address": card.address, "pub_key": {"type": PUB_TYPE, "value": card.pub_key}, "power": str(power),
            "name": card.name}


def _check_power(power: int) -> int:
    if isinstance(power, bool) or not isinstance(power, int) or not 1 <= power <= MAX_TOTAL_VOTING_POWER:
        raise InputError("--power", "power", f"is {power!r}; a validator's power is a whole number from 1 to "
                                             f"{MAX_TOTAL_VOTING_POWER}")
    return power


def _refuse_duplicates(existing: list[dict], cards: Sequence[MemberCard], source: str) -> None:
    seen_keys = {v["pub_key"]["value"]: v.get("name", "") for v in existing}
    seen_addr = {v["address"].upper() for v in existing}
    seen_names = {_name_key(v.get("name", "")): v.get("name", "") for v in existing if v.get("name")}
    for card in cards:
        if card.pub_key in seen_keys:
            raise InputError(source, "pub_key", f"{card.name!r} has the same validator key as "
                                                f"{seen_keys[card.pub_key]!r} already in the genesis")
        if card.address in seen_addr:
            raise InputError(source, "address", f"{card.name!r}: validator {card.address} is already in the genesis")
        if _name_key(card.name) in seen_names:
            raise InputError(source, "name", f"{card.name!r} is already the name of a validator in the genesis")
        seen_keys[card.pub_key] = card.name
        seen_addr.add(card.address)
        seen_names[_name_key(card.name)] = card.name


def new_genesis(cards: Sequence[MemberCard], chain_id: str | None = None, genesis_time: str | None = None,
                power: int = 10, powers: Sequence[int] | None = None) -> str:
    """A new network's genesis.json text from the members' cards (`powers`: one per card, else `power`)."""
    if not cards:
        raise InputError("<cards>", None, "no member cards: a genesis needs at least one validator")
    chain = chain_id or random_chain_id()
    if not 0 < len(chain.encode()) <= 50 or any(not 32 < ord(c) < 127 for c in chain):
        raise InputError("--chain-id", "chain_id", f"{chain!r}: 1 to 50 printable ASCII characters, no spaces")
    when = parse_time(genesis_time, "genesis_time") if genesis_time else now_rfc3339()
    if when == ZERO_TIME:
        raise InputError("--genesis-time", "genesis_time", "the zero time makes every node pick its own; give "
                                                          "a real UTC time")
    each = [_check_power(p) for p in (powers if powers is not None else [power] * len(cards))]
    if len(each) != len(cards):
        raise InputError("<cards>", "power", "one power per card")
    _refuse_duplicates([], cards, "<cards>")
    doc = {"genesis_time": when, "chain_id": chain, "initial_height": "1", "consensus_params": default_params(),
           "validators": [_validator(c, p) for c, p in zip(cards, each, strict=True)], "app_hash": ""}
    text = layout(doc)
    report = validate_genesis(text.encode(), "<new genesis>")
    if not report.valid:  # cards were checked, so this is a bug; never write such a file
        raise InputError("<new genesis>", None, "; ".join(report.errors))
    return text


def add_to_genesis(genesis: bytes, cards: Sequence[MemberCard], source: str, power: int = 10) -> str:
    """The genesis with the cards' validators appended (other content kept as it is)."""
    report = validate_genesis(genesis, source)
    if not report.valid:
        raise InputError(source, None, "; ".join(report.errors))
    _check_power(power)
    doc = json.loads(genesis.decode("utf-8"))
    existing = doc.get("validators") or []
    for v in existing:  # Tendermint fills a missing address; so do we, so duplicates are found
        if not v.get("address"):
            v["address"] = next(x.address for x in report.validators if x.pub_key == v["pub_key"]["value"])
    _refuse_duplicates(existing, cards, source)
    doc["validators"] = existing + [_validator(c, power) for c in cards]
    text = layout(doc)
    again = validate_genesis(text.encode(), source)
    if not again.valid:
        raise InputError(source, None, "; ".join(again.errors))
    return text
