"""genesis.json for Tendermint 0.34: validated with Tendermint's rules (see tmjson), built from member
cards, extended with new members, and fingerprinted (SHA-256 of the file's bytes, what
`tendermint node --genesis_hash` compares), in Tendermint's own key order and 2-space layout.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmwizard.core.genesis_json import GoSyntaxError, dump, parse
from pmwizard.core.genesis_time import TimeError, parse_rfc3339
from pmwizard.core.tmjson import MAX_TOTAL_VOTING_POWER, ZERO_TIME, Decoded, GenesisError, decode_genesis
from pmwizard.errors import InputError

if TYPE_CHECKING:  # validating a file needs no card machinery (ed25519, host names): only building one does
    from pmwizard.core.cards import MemberCard

# One size rule for genesis files, on write (new, add) and on read (validate, configure, the wizard): 16 MiB
# (the Plan's preview bound) holds 20,000 validators with the longest card names (128 characters, up to 4 UTF-8
# bytes each: about 760 bytes a validator; a usual one takes 260, so 10,000 members make 2.6 MB), and bounds
# what a hostile file can cost.
MAX_GENESIS_BYTES = 16 * 1024 * 1024
MAX_GENESIS_TEXT = f"{MAX_GENESIS_BYTES // (1024 * 1024)} MiB"
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
    """Tendermint 0.34's verdict on `data`, plus warnings about what would hurt later; never raises."""
    digest = fingerprint(data)
    try:
        doc = decode_genesis(data)
    except GenesisError as exc:
        from pmwizard.core.genesis_docs import docs_problems, parse_loose  # only for a refused file

        loose = parse_loose(data)
        problems = docs_problems(loose)
        if problems:
            return _docs_report(source, digest, exc, loose, problems)
        tag = " (Tendermint would accept the file, then panic at node start)" if exc.panic else ""
        return GenesisReport(source, False, (f"{source}: {exc}{tag}",), (), digest, None, None, ())
    validators = tuple(GenesisValidator(v.address, base64.b64encode(v.pub_key).decode(), v.power, v.name)
                       for v in doc.validators)
    return GenesisReport(source, True, (), tuple(f"{source}: {w}" for w in _warnings(doc)), digest, doc.chain_id,
                         doc.genesis_time, validators)


def _docs_report(source: str, digest: str, exc: GenesisError, doc: dict, problems: list[tuple[str, str]]
                 ) -> GenesisReport:
    """A file shaped like the Planetmint docs' example: Tendermint's own error first, then one line for each
    other docs-era problem, and the converted 0.34 document."""
    from pmwizard.core.genesis_docs import convert

    converted = convert(doc, now_rfc3339())
    first = f"{source}: {exc}"
    errors = []
    for field, why in problems:
        if field == exc.field:  # the same problem Tendermint stopped at: explain it there
            first += f" ({why})"
        else:
            errors.append(f"{source}: {field}: {why}")
    warnings = [f"{source}: shaped like the Planetmint docs' example, which Tendermint 0.34 cannot load; "
                + ("a converted 0.34 document is offered" if converted else
                   "it cannot be converted (a validator key or the chain_id is unusable)")]
    if doc.get("genesis_time") in (None, ZERO_TIME):
        warnings.append(f"{source}: genesis_time: {ZERO_TIME_WHY}")
    chain = doc.get("chain_id") if isinstance(doc.get("chain_id"), str) else None
    return GenesisReport(source, False, (first, *errors), tuple(warnings), digest, chain, None, (), converted)


ZERO_TIME_WHY = ("the zero time: every node replaces it with its own start time, so validators disagree on the "
                 "time of block 1 and refuse each other's first block (\"block time ... is not equal to genesis "
                 "time\"); write one UTC time that all members share")


def _warnings(doc: Decoded) -> list[str]:
    """Valid for Tendermint, but worth saying before a network is started on it."""
    out = []
    vals = doc.validators
    if not vals:
        out.append("validators: none; the node starts only if the application supplies them at InitChain "
                   "(Planetmint does not)")
    if doc.time is None or doc.time.is_zero():
        out.append(f"genesis_time: {ZERO_TIME_WHY}" if len(vals) > 1 else
                   "genesis_time: the zero time; the node uses its own start time (a network of several "
                   "validators could not agree on block 1)")
    elif (doc.time.year, doc.time.month, doc.time.day) > time.gmtime(time.time() + 7 * 86400)[:3]:
        out.append(f"genesis_time: {doc.genesis_time} is more than a week ahead; no block is made before then")
    if doc.app_hash:
        out.append(f"app_hash: {doc.app_hash.hex().upper()}; a node starts only if the application's initial app "
                   "hash is exactly this (for a new Planetmint network leave it \"\")")
    names: dict[str, int] = {}
    for i, v in enumerate(vals):
        if v.key_type != "tendermint/PubKeyEd25519":
            out.append(f"validators[{i}].pub_key: a {v.key_type} key; Planetmint expects ed25519 validator keys")
        abci = {"tendermint/PubKeyEd25519": "ed25519", "tendermint/PubKeySecp256k1": "secp256k1"}[v.key_type]
        if abci not in doc.pub_key_types:
            out.append(f"validators[{i}].pub_key: type {abci} is not in consensus_params.validator.pub_key_types "
                       f"{list(doc.pub_key_types)}; the network will refuse updates for this validator")
        key = _name_key(v.name)
        if not v.name.strip():
            out.append(f"validators[{i}].name: empty; operators tell validators apart by name")
        elif key in names:
            out.append(f"validators[{i}].name: {v.name!r} is also the name of validators[{names[key]}]")
        names.setdefault(key, i)
    total = sum(v.power for v in vals)
    if 1 < len(vals) < 4:
        out.append(f"validators: {len(vals)} validators; the chain stops whenever one of them is offline (more than "
                   "2/3 of the power must vote; 4 validators tolerate 1 offline)")
    elif len(vals) >= 4:
        for i, v in enumerate(vals):
            if 3 * v.power >= total:
                out.append(f"validators[{i}].power: {v.name or v.address} holds {v.power} of {total}, at least 1/3; "
                           "the chain stops whenever it is offline")
    return out


def read_limited(path: Path) -> bytes:
    """The file's bytes, at most MAX_GENESIS_BYTES (read with a bound; a FIFO, a device or a folder is refused
    before any read, so nothing can hang or exhaust memory)."""
    from pmwizard.core.safeio import NotRegular, os_error_reason, read_input

    path = Path(path)
    try:
        data = read_input(path, MAX_GENESIS_BYTES)
    except NotRegular as exc:
        what = "a folder, not a genesis file" if exc.kind == "a folder" else f"{exc.kind}, not a genesis file"
        raise InputError(str(path), None, f"is {what}") from None
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read: {os_error_reason(exc)}") from None
    if data is None:
        raise InputError(str(path), None, "does not exist")
    if len(data) > MAX_GENESIS_BYTES:
        raise InputError(str(path), None, f"larger than {MAX_GENESIS_TEXT}; a genesis file here is at most "
                                          f"{MAX_GENESIS_TEXT}")
    return data


def read_genesis(path: Path) -> GenesisReport:
    """Read (size-limited) and validate a genesis file; InputError when it cannot be read at all."""
    return validate_genesis(read_limited(path), str(path))


def now_rfc3339() -> str:
    """Now, UTC, with nanoseconds, formatted as Go's RFC3339Nano (trailing zeros of the fraction dropped)."""
    ns = time.time_ns()
    secs, frac = divmod(ns, 1_000_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    digits = f"{frac:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def canonical_time(text: str, field: str = "genesis_time") -> str:
    """A time typed by a person, checked with Tendermint's rules and written as Tendermint writes it."""
    if not text.endswith("Z"):
        raise InputError(f"--{field.replace('_', '-')}", field, f"{text!r}: JSON time must be UTC and end with "
                                                               "'Z' (e.g. 2026-11-23T08:00:00Z)")
    try:
        parsed = parse_rfc3339(text)
    except TimeError as exc:
        raise InputError(f"--{field.replace('_', '-')}", field, str(exc)) from None
    if parsed.is_zero() or parsed.year == 0:
        raise InputError(f"--{field.replace('_', '-')}", field, "the zero time makes every node pick its own; "
                                                               "give a real UTC time")
    return parsed.rfc3339nano()


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
    """tmjson.MarshalIndent(doc, "", "  "): 2 spaces, Go's HTML-safe escapes, numbers as written, app_state
    copied as read (a json.RawMessage); no final newline (as GenesisDoc.SaveAs)."""
    parts = []
    for key, value in doc.items():
        text = dump(value, 1, raw_strings=(key == "app_state"))
        parts.append(f'\n  {dump(key)}: {text}')
    return "{" + ",".join(parts) + "\n}" if parts else "{}"


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


def _refuse_duplicates(existing: list[tuple[str, str, str]], cards: Sequence[MemberCard], source: str) -> None:
    """`existing`: (pub_key, ADDRESS, name) of the validators already there. Cards are checked against those
    and against each other: same validator key, same address, same name (NFKC, case-folded); and the new
    cards against each other: same node_id."""
    seen_keys = {k: n for k, _, n in existing}
    seen_addr = {a: n for _, a, n in existing}
    seen_names = {_name_key(n): n for _, _, n in existing if n.strip()}
    seen_nodes: dict[str, str] = {}  # the genesis holds no node ids, but two new cards must not share one
    for card in cards:
        if card.pub_key in seen_keys:
            raise InputError(source, "pub_key", f"{card.name!r} has the same validator key as "
                                                f"{seen_keys[card.pub_key]!r} already in the genesis")
        if card.address in seen_addr:
            raise InputError(source, "address", f"{card.name!r}: validator {card.address} is already in the "
                                                f"genesis (as {seen_addr[card.address]!r})")
        if _name_key(card.name) in seen_names:
            raise InputError(source, "name", f"{card.name!r} is already the name of a validator in the genesis "
                                             f"({seen_names[_name_key(card.name)]!r})")
        if card.node_id.lower() in seen_nodes:
            raise InputError(source, "node_id", f"{card.name!r} has the same node_id as "
                                                f"{seen_nodes[card.node_id.lower()]!r}")
        seen_nodes[card.node_id.lower()] = card.name
        seen_keys[card.pub_key] = card.name
        seen_addr[card.address] = card.name
        seen_names[_name_key(card.name)] = card.name


def new_genesis(cards: Sequence[MemberCard], chain_id: str | None = None, genesis_time: str | None = None,
                power: int = 10, powers: Sequence[int] | None = None) -> str:
    """A new network's genesis.json text from the members' cards (`powers`: one per card, else `power`)."""
    if not cards:
        raise InputError("<cards>", None, "no member cards: a genesis needs at least one validator")
    chain = chain_id if chain_id is not None else random_chain_id()
    if not 0 < len(chain.encode()) <= 50 or any(not 32 < ord(c) < 127 for c in chain):
        raise InputError("--chain-id", "chain_id", f"{chain!r}: 1 to 50 printable ASCII characters, no spaces")
    when = canonical_time(genesis_time) if genesis_time is not None else now_rfc3339()
    each = [_check_power(p) for p in (powers if powers is not None else [power] * len(cards))]
    if len(each) != len(cards):
        raise InputError("<cards>", "power", "one power per card")
    if sum(each) > MAX_TOTAL_VOTING_POWER:
        raise InputError("--power", "power", f"the powers add up to {sum(each)}, above Tendermint's maximum "
                                             f"{MAX_TOTAL_VOTING_POWER}")
    _refuse_duplicates([], cards, "<cards>")
    doc = {"genesis_time": when, "chain_id": chain, "initial_height": "1", "consensus_params": default_params(),
           "validators": [_validator(c, p) for c, p in zip(cards, each, strict=True)], "app_hash": ""}
    # every input was checked above (cards, powers, chain_id, time), so the output is not decoded again;
    # tests hold new_genesis's files to the tendermint binary's verdict
    return _sized(layout(doc), "<new genesis>")


def _sized(text: str, source: str) -> str:
    """The size rule on write: never hand out a file that every reader refuses."""
    size = len(text.encode("utf-8", "surrogateescape"))
    if size > MAX_GENESIS_BYTES:
        raise InputError(source, None, f"the genesis would be {size} bytes in Tendermint's layout, above the "
                                       f"{MAX_GENESIS_TEXT} every reader of a genesis file accepts")
    return text


def _checked(text: str, source: str) -> str:
    _sized(text, source)
    report = validate_genesis(text.encode(), source)
    if not report.valid:  # inputs were checked, so this is a bug; never hand out such a file
        raise InputError(source, None, "; ".join(report.errors))
    return text


def add_to_genesis(genesis: bytes, cards: Sequence[MemberCard], source: str, power: int = 10) -> str:
    """The genesis with the cards' validators appended; every other key, value and number kept as written
    (only the layout becomes Tendermint's). Refuses an invalid genesis and duplicate keys or names."""
    report = validate_genesis(genesis, source)
    if not report.valid:
        raise InputError(source, None, "; ".join(report.errors))
    if not cards:
        raise InputError("<cards>", None, "no member cards to add")
    _check_power(power)
    try:
        doc = parse(genesis)
    except GoSyntaxError as exc:  # cannot happen: it was just validated
        raise InputError(source, None, str(exc)) from None
    existing = doc.get("validators") or []
    for v, known in zip(existing, report.validators, strict=True):
        # Tendermint fills a missing address (and reads any hex case); write what it would use
        v["address"] = known.address
    _refuse_duplicates([(v.pub_key, v.address, v.name) for v in report.validators], cards, source)
    total = sum(v.power for v in report.validators) + power * len(cards)
    if total > MAX_TOTAL_VOTING_POWER:
        raise InputError(source, "power", f"the powers would add up to {total}, above Tendermint's maximum")
    doc["validators"] = existing + [_validator(c, power) for c in cards]
    return _checked(layout(doc), source)
