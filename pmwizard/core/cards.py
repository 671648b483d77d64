"""Member cards (SPEC §4): what a member sends the coordinator, signed by both of the node's keys.

A signed card proves possession of the validator key and the node key, and lets the reader check
`node_id == hex(SHA256(node_pub_key)[:20])`. Unsigned cards and the plain "three values"
(`hostname pub_key node_id`, or `node_id@hostname:port pub_key`) are accepted with a warning.
Reading never raises on bad content: each card gets a CardCheck with errors naming the file and field.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from pmwizard.core.hostname import mixed_scripts, to_ascii, validate_host
from pmwizard.core.keys import (
    PUB_TYPE,
    b64,
    decode_b64,
    load_identity,
    node_id_of,
    sign_as_node,
    sign_as_validator,
    validator_address,
)
from pmwizard.core.peers import PeerAddress, parse_peer_address
from pmwizard.errors import InputError

CARD_TAG = "member-card/1"
MAX_CARD_BYTES = 64 * 1024
MAX_NAME = 128
_KNOWN = {"pmwizard", "name", "hostname", "p2p_port", "pub_key", "node_id", "node_pub_key", "created", "signatures"}
_HEX40 = re.compile(r"[0-9a-f]{40}")
_CARD_SUFFIXES = {".json", ".txt", ".card"}


@dataclass(frozen=True)
class MemberCard:
    """One member's public identity. Keys are base64 strings; `node_id` is lowercase hex."""

    name: str
    hostname: str
    p2p_port: int
    pub_key: str
    node_id: str
    node_pub_key: str | None = None
    created: str | None = None
    signatures: dict[str, str] | None = field(default=None, hash=False)

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def peer(self) -> PeerAddress:
        return PeerAddress(self.node_id, self.hostname, self.p2p_port)

    @property
    def address(self) -> str:
        return validator_address(base64.b64decode(self.pub_key))

    def unsigned_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"pmwizard": CARD_TAG, "name": self.name, "hostname": self.hostname,
                               "p2p_port": self.p2p_port, "pub_key": {"type": PUB_TYPE, "value": self.pub_key},
                               "node_id": self.node_id}
        if self.node_pub_key is not None:
            doc["node_pub_key"] = {"type": PUB_TYPE, "value": self.node_pub_key}
        if self.created is not None:
            doc["created"] = self.created
        return doc

    def to_json(self) -> dict[str, Any]:
        doc = self.unsigned_json()
        if self.signatures:
            doc["signatures"] = dict(self.signatures)
        return doc


def signed_bytes(doc: dict[str, Any]) -> bytes:
    """The bytes both keys sign: the card without `signatures`, sorted keys, no spaces, UTF-8."""
    body = {k: v for k, v in doc.items() if k != "signatures"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class CardCheck:
    """The verdict on one card read from `source` (a file, or '<pasted text>' with a line number)."""

    source: str
    valid: bool
    signed: bool
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    card: MemberCard | None

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "valid": self.valid, "signed": self.signed, "errors": list(self.errors),
                "warnings": list(self.warnings), "card": self.card.to_json() if self.card else None}


@dataclass(frozen=True)
class Conflict:
    """Two cards that cannot both be in one network: same key, node, address (host:port) or name."""

    kind: str
    first: MemberCard
    second: MemberCard
    message: str


def check_name(name: Any, source: str, field_name: str = "name") -> str:
    if not isinstance(name, str):
        raise InputError(source, field_name, f"expected text, found {type(name).__name__}")
    if not name.strip():
        raise InputError(source, field_name, "is blank")
    if len(name) > MAX_NAME:
        raise InputError(source, field_name, f"is {len(name)} characters; at most {MAX_NAME}")
    if any(not ch.isprintable() for ch in name):
        raise InputError(source, field_name, "contains control characters (newline, tab, ...)")
    alike = next((word for word in name.split() if mixed_scripts(word)), None)
    if alike is not None:
        raise InputError(source, field_name, f"{alike!r} mixes look-alike alphabets (Latin with Cyrillic or "
                         "Greek): refused, as host names are")
    return name


def check_hostname(host: Any, source: str, field_name: str = "hostname") -> str:
    if not isinstance(host, str):
        raise InputError(source, field_name, f"expected text, found {type(host).__name__}")
    problems = validate_host(host)
    if problems:
        raise InputError(source, field_name, f"{host!r}: " + "; ".join(problems))
    return host.strip("[]") if ":" in host else to_ascii(host)


def check_port(port: Any, source: str, field_name: str = "p2p_port") -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError(source, field_name, f"is {port!r}; expected a port number 1-65535")
    return port


def _pub(doc: dict, key: str, source: str) -> str:
    wrapper = doc.get(key)
    if not isinstance(wrapper, dict):
        raise InputError(source, key, 'missing or not {"type": ..., "value": ...}')
    if wrapper.get("type") != PUB_TYPE:
        raise InputError(source, f"{key}.type", f"is {wrapper.get('type')!r}; expected {PUB_TYPE!r}")
    decode_b64(wrapper.get("value"), source, f"{key}.value", 32)
    return wrapper["value"]


def _verify_sig(pub_b64: str, sig: Any, message: bytes, source: str, field_name: str) -> None:
    raw = decode_b64(sig, source, field_name, 64)
    try:
        VerifyKey(base64.b64decode(pub_b64)).verify(message, raw)
    except BadSignatureError:
        raise InputError(source, field_name, "does not verify: the card was changed after signing, "
                                             "or was not signed by this key") from None


def card_from_json(doc: Any, source: str) -> CardCheck:
    """Check one card object; never raises."""
    warnings: list[str] = []
    try:
        if not isinstance(doc, dict):
            raise InputError(source, None, f"expected a JSON object (a member card), found {type(doc).__name__}")
        if doc.get("pmwizard") != CARD_TAG:
            raise InputError(source, "pmwizard", f"is {doc.get('pmwizard')!r}; a member card says {CARD_TAG!r}")
        name = check_name(doc.get("name"), source)
        host = check_hostname(doc.get("hostname"), source)
        port = check_port(doc.get("p2p_port", 26656), source)
        pub = _pub(doc, "pub_key", source)
        node_id = doc.get("node_id")
        if not isinstance(node_id, str) or not _HEX40.fullmatch(node_id):
            hint = " (it must be lowercase)" if isinstance(node_id, str) and _HEX40.fullmatch(node_id.lower()) else ""
            raise InputError(source, "node_id", f"is {node_id!r}; expected 40 lowercase hex characters{hint}")
        node_pub = _pub(doc, "node_pub_key", source) if "node_pub_key" in doc else None
        if node_pub is not None:
            derived = node_id_of(base64.b64decode(node_pub))
            if derived != node_id:
                raise InputError(source, "node_id", f"is {node_id} but node_pub_key gives {derived}")
        created = doc.get("created")
        if created is not None and not isinstance(created, str):
            raise InputError(source, "created", "expected an RFC 3339 time string")
        sigs = doc.get("signatures")
        if sigs is not None:
            if not isinstance(sigs, dict):
                raise InputError(source, "signatures", "expected {\"validator\": ..., \"node\": ...}")
            if node_pub is None:
                raise InputError(source, "node_pub_key", "is missing; a signed card needs it to check the node "
                                                         "signature")
            message = signed_bytes(doc)
            _verify_sig(pub, sigs.get("validator"), message, source, "signatures.validator")
            _verify_sig(node_pub, sigs.get("node"), message, source, "signatures.node")
            sigs = {"validator": sigs["validator"], "node": sigs["node"]}
        else:
            warnings.append(f"{source}: unsigned card: nothing proves it came from the holder of these keys; "
                            "confirm the values with the member by another channel")
        unknown = sorted(set(doc) - _KNOWN)
        if unknown:
            warnings.append(f"{source}: unknown fields ignored: {', '.join(unknown)}")
    except InputError as exc:
        return CardCheck(source, False, False, (str(exc),), tuple(warnings), None)
    card = MemberCard(name, host, port, pub, node_id, node_pub, created, sigs)
    return CardCheck(source, True, card.signed, (), tuple(warnings), card)


def _classify(token: str) -> str:
    if "@" in token:
        return "peer"
    if re.fullmatch(r"[0-9A-Fa-f]{40}", token):
        return "node_id"
    if len(token) == 44 and token.endswith("="):
        try:
            if len(base64.b64decode(token, validate=True)) == 32:
                return "pub_key"
        except (binascii.Error, ValueError):
            pass
    return "hostname"


def card_from_values(line: str, source: str) -> CardCheck:
    """One line of three values, in any order: hostname, pub_key, node_id (or node_id@host:port, pub_key)."""
    warnings = [f"{source}: unsigned values: confirm them with the member by another channel"]
    tokens = [t for t in re.split(r"[\s,;]+", line.strip()) if t]
    kinds: dict[str, list[str]] = {}
    for t in tokens:
        kinds.setdefault(_classify(t), []).append(t)
    try:
        port = 26656
        if "peer" in kinds:
            if len(kinds["peer"]) > 1 or "node_id" in kinds:
                raise InputError(source, None, "more than one node id on one line")
            try:
                peer = parse_peer_address(kinds["peer"][0])
            except ValueError as exc:
                raise InputError(source, "peer", str(exc)) from None
            kinds["node_id"], port = [peer.node_id], peer.port
            if kinds.get("hostname"):
                raise InputError(source, "hostname", f"unexpected extra value {kinds['hostname'][0]!r}")
            kinds["hostname"] = [peer.host]
        for kind in ("hostname", "pub_key", "node_id"):
            found = kinds.get(kind, [])
            if len(found) != 1:
                what = "missing" if not found else f"given {len(found)} times ({', '.join(found)})"
                raise InputError(source, kind, f"{what}; expected the three values: hostname pub_key node_id")
        node_id = kinds["node_id"][0]
        if node_id != node_id.lower():
            warnings.append(f"{source}: node_id was uppercase; lowercased (Tendermint's handshake compares "
                            "lowercase ids)")
        host = check_hostname(kinds["hostname"][0], source)
    except InputError as exc:
        return CardCheck(source, False, False, (str(exc),), tuple(warnings), None)
    card = MemberCard(host, host, port, kinds["pub_key"][0], node_id.lower())
    return CardCheck(source, True, False, (), tuple(warnings), card)


def parse_cards_text(text: str, source: str) -> list[CardCheck]:
    """Pasted or file text: one JSON card, a JSON list of cards, several JSON cards, or lines of values."""
    stripped = text.strip()
    if not stripped:
        return [CardCheck(source, False, False, (f"{source}: empty: no card found",), (), None)]
    if stripped[0] in "{[":
        docs: list[Any] = []
        decoder, pos = json.JSONDecoder(), 0
        try:
            while pos < len(stripped):
                doc, pos = decoder.raw_decode(stripped, pos)
                docs.extend(doc if isinstance(doc, list) else [doc])
                while pos < len(stripped) and stripped[pos] in " \t\r\n,":
                    pos += 1
        except (json.JSONDecodeError, RecursionError) as exc:
            msg = getattr(exc, "msg", "nested too deeply")
            line = stripped.count("\n", 0, getattr(exc, "pos", 0)) + 1
            return [CardCheck(source, False, False, (f"{source}: not valid JSON ({msg}, line {line})",), (), None)]
        tag = (lambda i: source) if len(docs) == 1 else (lambda i: f"{source}[{i}]")
        return [card_from_json(doc, tag(i)) for i, doc in enumerate(docs)]
    out = []
    lines = [(k, ln) for k, ln in enumerate(stripped.splitlines(), 1) if ln.strip() and not ln.lstrip().startswith("#")]
    for number, values in lines:
        out.append(card_from_values(values, source if len(lines) == 1 else f"{source}:{number}"))
    return out


def read_card_file(path: Path) -> list[CardCheck]:
    src = str(path)
    from pmwizard.core.safeio import NotRegular, os_error_text, read_input

    try:
        data = read_input(path, MAX_CARD_BYTES)
    except NotRegular as exc:
        return [CardCheck(src, False, False, (f"{src}: is {exc.kind}, not a card file",), (), None)]
    except OSError as exc:
        return [CardCheck(src, False, False, (f"cannot be read: {os_error_text(src, exc)}",), (), None)]
    if data is None:
        return [CardCheck(src, False, False, (f"{src}: does not exist",), (), None)]
    return read_card_bytes(data, src)


def read_card_bytes(data: bytes, src: str) -> list[CardCheck]:
    """Cards from bytes already read (a file, or standard input for `-`): UTF-8, at most 64 KiB."""
    if len(data) > MAX_CARD_BYTES:
        return [CardCheck(src, False, False, (f"{src}: larger than 64 KiB; a card is at most 64 KiB",), (), None)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [CardCheck(src, False, False, (f"{src}: not UTF-8 text (byte {exc.start})",), (), None)]
    return parse_cards_text(text.removeprefix("\ufeff"), src)


def read_cards(path: Path) -> list[CardCheck]:
    """A card file, a text file of values, or a folder of them (*.json, *.txt, *.card, sorted by name)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in _CARD_SUFFIXES and p.is_file())
        if not files:
            return [CardCheck(str(path), False, False, (f"{path}: no card files (*.json, *.txt) in this folder",),
                              (), None)]
        return [check for f in files for check in read_card_file(f)]
    if not path.exists():
        return [CardCheck(str(path), False, False, (f"{path}: does not exist",), (), None)]
    return read_card_file(path)


def export_card(home: Path, hostname: str, name: str | None = None, p2p_port: int = 26656,
                created: str | None = None) -> MemberCard:
    """This node's card, signed by its validator key and its node key."""
    host = check_hostname(hostname, "--hostname", "hostname")
    default = host if p2p_port == 26656 else f"{host}:{p2p_port}"  # nodes sharing a host differ by port
    card_name = check_name(name if name is not None else default, "--name", "name")
    port = check_port(p2p_port, "--p2p-port", "p2p_port")
    ident = load_identity(Path(home))
    when = created or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    card = MemberCard(card_name, host, port, ident.pub_key, ident.node_id, ident.node_pub_key, when)
    message = signed_bytes(card.unsigned_json())
    sigs = {"validator": b64(sign_as_validator(home, message)), "node": b64(sign_as_node(home, message))}
    return MemberCard(card_name, host, port, ident.pub_key, ident.node_id, ident.node_pub_key, when, sigs)


def card_text(card: MemberCard) -> str:
    return json.dumps(card.to_json(), indent=2, ensure_ascii=False) + "\n"


def three_values(card: MemberCard) -> str:
    """The plain form some coordinators ask for: `hostname pub_key node_id`."""
    return f"{card.hostname} {card.pub_key} {card.node_id}"


def find_conflicts(cards: Sequence[MemberCard]) -> list[Conflict]:
    """Pairs that cannot share a network. Same host with different ports is fine (nodes on one machine)."""
    out: list[Conflict] = []
    keys = {
        "pub_key": (lambda c: c.pub_key, "the same validator key"),
        "node_id": (lambda c: c.node_id, "the same node id"),
        "hostname": (lambda c: (c.hostname.lower(), c.p2p_port), "the same host and P2P port"),
        "name": (lambda c: unicodedata.normalize("NFKC", c.name).strip().casefold(), "the same name"),
    }
    for kind, (key, what) in keys.items():
        first: dict[Any, MemberCard] = {}
        for card in cards:
            k = key(card)
            if k in first:
                a = first[k]
                out.append(Conflict(kind, a, card, f"{a.name!r} ({a.hostname}) and {card.name!r} ({card.hostname}) "
                                                   f"have {what}"))
            else:
                first[k] = card
    return out


def usable_cards(checks: Sequence[CardCheck], label: str) -> tuple[list[MemberCard], list[str]]:
    """The cards of `checks` when every one is valid and no two conflict, with their warnings (unsigned, ...).
    The first invalid card or conflict is an InputError naming it: a network is not formed from a set with a
    bad card in it. `label` names the set for a conflict (the paths given)."""
    cards: list[MemberCard] = []
    warnings: list[str] = []
    for check in checks:
        if not check.valid or check.card is None:
            raise InputError(check.source, None, "; ".join(check.errors))
        warnings.extend(check.warnings)
        cards.append(check.card)
    for c in find_conflicts(cards):
        raise InputError(label, c.kind, c.message)
    return cards, warnings
