"""Tendermint 0.34.24's genesis rules, transcribed: `types.GenesisDocFromJSON` (libs/json decoding, then
`ValidateAndComplete`) and what makes `tendermint node` panic when it builds the validator set.

`decode_genesis` raises GenesisError with Tendermint's own wording (Go's error strings) so an operator can
match it with what a node would log; `field` says where (e.g. `validators[1].power`). Decoding follows the
struct order of types.GenesisDoc, as Go does, so the first problem reported is the one Tendermint reports.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from pmwizard.core.genesis_json import GoSyntaxError, JNum, JObj, compact, kind, parse, raw_text
from pmwizard.core.genesis_time import ZERO_TIME, GoTime, TimeError, go_quote, parse_rfc3339

MAX_CHAIN_ID_LEN = 50
MAX_BLOCK_SIZE_BYTES = 104857600
MAX_TOTAL_VOTING_POWER = (2**63 - 1) // 8
INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)
# the public-key type tags registered in a tendermint 0.34 binary (sr25519 is not linked in)
KEY_TYPES = {"tendermint/PubKeyEd25519": (32, "ed25519.PubKey", "PubKeyEd25519"),
             "tendermint/PubKeySecp256k1": (33, "secp256k1.PubKey", "PubKeySecp256k1")}
# registered tags of other types: tmjson finds them, then refuses them as a crypto.PubKey
OTHER_TYPES = {"tendermint/PrivKeyEd25519", "tendermint/PrivKeySecp256k1", "tendermint/DuplicateVoteEvidence",
               "tendermint/LightClientAttackEvidence", "tendermint.crypto.PublicKey",
               "tendermint.crypto.PublicKey_Ed25519", "tendermint.crypto.PublicKey_Secp256K1"}
OTHER_PREFIXES = ("tendermint/event/", "tendermint/wal/", "tendermint/NewRoundStepMessage",
                  "tendermint/NewValidBlockMessage", "tendermint/Proposal", "tendermint/BlockPart",
                  "tendermint/Vote", "tendermint/HasVote")
ABCI_KEY_TYPES = {"ed25519", "secp256k1"}
_MAP = "map[string]json.RawMessage"
_LIST = "[]json.RawMessage"


class GenesisError(ValueError):
    """One reason Tendermint refuses the document (`panic` when only node start would find it)."""

    def __init__(self, field: str | None, message: str, panic: bool = False) -> None:
        self.field = field
        self.message = message
        self.panic = panic
        super().__init__(f"{field}: {message}" if field else message)


@dataclass(frozen=True)
class Validator:
    address: str
    key_type: str
    pub_key: bytes
    power: int
    name: str


@dataclass(frozen=True)
class Decoded:
    chain_id: str
    genesis_time: str
    time: GoTime | None
    initial_height: int
    validators: tuple[Validator, ...]
    params_given: bool
    pub_key_types: tuple[str, ...]
    app_hash: bytes


def _cannot(value: Any, go_type: str) -> str:
    return f"json: cannot unmarshal {kind(value)} into Go value of type {go_type}"


_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,19})")  # short enough for int() and for any 64-bit bound
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
_B64_PLAIN = re.compile(r"[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _stdlib_number(content: str, field: str, go_type: str, bounds: tuple[int, int]) -> int:
    """encoding/json.Unmarshal(content, &int64): what tmjson does with the text between the quotes."""
    if _PLAIN_INT.fullmatch(content):  # the usual case, read once; anything else goes through Go's grammar
        number = int(content)
        if not bounds[0] <= number <= bounds[1]:
            raise GenesisError(field, f"json: cannot unmarshal number {content} into Go value of type {go_type}")
        return number
    return _number_go(content, field, go_type, bounds)


def _number_go(content: str, field: str, go_type: str, bounds: tuple[int, int]) -> int:
    """The same through Go's JSON grammar: the reference _stdlib_number must agree with."""
    try:
        value = parse(content)
    except GoSyntaxError as exc:
        raise GenesisError(field, str(exc)) from None
    if value is None:
        return 0
    if not isinstance(value, JNum):
        raise GenesisError(field, _cannot(value, go_type))
    if not re.fullmatch(r"-?[0-9]+", value.text) or not bounds[0] <= int(value.text) <= bounds[1]:
        raise GenesisError(field, f"json: cannot unmarshal number {value.text} into Go value of type {go_type}")
    return int(value.text)


def _int(value: Any, field: str, go_type: str = "int64", bounds: tuple[int, int] = INT64) -> int:
    """tmjson: 64-bit integers are JSON strings; the raw text inside is handed to encoding/json."""
    if value is None:
        return 0
    if not isinstance(value, str):
        raise GenesisError(field, f"invalid 64-bit integer encoding {go_quote(compact(value))}, expected string")
    return _stdlib_number(raw_text(value), field, go_type, bounds)


def _str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise GenesisError(field, _cannot(value, "string"))
    return str(value)


def _obj(value: Any, field: str) -> dict:
    """A Go struct: tmjson first reads it into map[string]json.RawMessage."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GenesisError(field, _cannot(value, _MAP))
    return value


def _list(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise GenesisError(field, _cannot(value, _LIST))
    return value


def _hex(value: Any, field: str) -> bytes:
    """tmbytes.HexBytes.UnmarshalJSON: hex.DecodeString of the raw text between the quotes."""
    if value is None:
        return b""
    if not isinstance(value, str):
        raise GenesisError(field, f"invalid hex string: {compact(value)}")
    if _HEX.fullmatch(raw_text(value)):
        return bytes.fromhex(raw_text(value))
    raw = raw_text(value).encode("utf-8", "surrogateescape")
    for b in raw:  # Go's decoder reports the first bad byte, before an odd length
        if chr(b) not in "0123456789abcdefABCDEF":
            shown = f" '{chr(b)}'" if chr(b).isprintable() else ""
            raise GenesisError(field, f"encoding/hex: invalid byte: U+{b:04X}{shown}")
    if len(raw) % 2:
        raise GenesisError(field, "encoding/hex: odd length hex string")
    return bytes.fromhex(raw.decode())


def parse_time(value: Any, field: str) -> str:
    """tmjson time: a JSON string whose raw text ends in Z, then Go's strict RFC 3339. Returns the text."""
    return _time(value, field)[0]


def _time(value: Any, field: str) -> tuple[str, GoTime | None]:
    if value is None:
        return ZERO_TIME, None
    if not isinstance(value, str):
        raise GenesisError(field, f"JSON time must be an RFC3339 string, but got {go_quote(compact(value))}")
    raw = raw_text(value)
    if not raw.endswith("Z"):
        raise GenesisError(field, f"JSON time must be UTC and end with 'Z', but got {go_quote(raw)}")
    try:
        parsed = parse_rfc3339(raw)
    except TimeError as exc:
        raise GenesisError(field, str(exc)) from None
    if parsed.year == 0:
        raise GenesisError(field, "year 0 is before 0001-01-01, the earliest time a block header can hold "
                                  "(Go: panic: timestamp: ... before 0001-01-01)", panic=True)
    return raw, parsed


_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _base64(text: str, field: str) -> bytes:
    """encoding/json's []byte: Go's base64.StdEncoding.Decode, quantum by quantum (it skips \r and \n,
    wants padding), so the error names the same input byte as Go. Text Go accepts is decoded by binascii;
    the byte-by-byte walk (_base64_go) runs only to find where Go stops."""
    plain = text.replace("\r", "").replace("\n", "") if "\r" in text or "\n" in text else text
    if len(plain) % 4 == 0 and _B64_PLAIN.fullmatch(plain):
        return binascii.a2b_base64(plain)
    return _base64_go(text, field)


def _base64_go(text: str, field: str) -> bytes:
    """Go's base64.StdEncoding.Decode transcribed quantum by quantum: the reference _base64 must agree with."""
    src = text.encode("utf-8", "surrogateescape")
    out = bytearray()
    si = 0

    def corrupt(at: int) -> GenesisError:
        return GenesisError(field, f"illegal base64 data at input byte {at}")

    while si < len(src):
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == len(src):
                if not quantum:
                    return bytes(out)
                raise corrupt(si - len(quantum))
            c = src[si]
            si += 1
            if c in _B64:
                quantum.append(_B64[c])
                continue
            if c in b"\r\n":
                continue
            if c != ord("=") or len(quantum) < 2:
                raise corrupt(si - 1)
            if len(quantum) == 2:  # "==" expected: the first "=" is consumed
                while si < len(src) and src[si] in b"\r\n":
                    si += 1
                if si == len(src):
                    raise corrupt(len(src))
                if src[si] != ord("="):
                    raise corrupt(si - 1)
                si += 1
            while si < len(src) and src[si] in b"\r\n":
                si += 1
            if si < len(src):
                raise corrupt(si)  # trailing garbage
            break
        val = 0
        for i in range(4):
            val = val << 6 | (quantum[i] if i < len(quantum) else 0)
        out += val.to_bytes(3, "big")[: len(quantum) - 1]
    return bytes(out)


def _key_bytes(raw: Any, field: str, go_type: str) -> bytes:
    if raw is None:
        return b""
    if isinstance(raw, str):
        return _base64(str(raw), field)
    if isinstance(raw, list):  # encoding/json also reads []byte from an array of numbers
        out = bytearray()
        for i, item in enumerate(raw):
            out.append(_stdlib_number(compact(item), f"{field}[{i}]", "uint8", (0, 255)) if item is not None
                       else 0)
        return bytes(out)
    raise GenesisError(field, _cannot(raw, go_type))


def _pub_key(value: Any, field: str) -> tuple[str, bytes] | None:
    """tmjson's interface wrapper {"type", "value"}; encoding/json matches those two keys case-insensitively,
    the last one written winning."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise GenesisError(field, _cannot(value, "json.interfaceWrapper"))
    key_type: Any = None
    raw: Any = None
    has_value = False
    for k, v in value.pairs if isinstance(value, JObj) else value.items():
        if k.lower() == "type":
            if v is not None and not isinstance(v, str):
                raise GenesisError(f"{field}.type", f"json: cannot unmarshal {kind(v)} into Go struct field "
                                                    "interfaceWrapper.type of type string")
            key_type = v if v is not None else key_type
        elif k.lower() == "value":
            raw, has_value = v, True
    if not key_type:
        raise GenesisError(field, "interface type cannot be empty")
    if not has_value:
        raise GenesisError(field, "interface value cannot be empty")
    if key_type not in KEY_TYPES:
        if key_type in OTHER_TYPES or key_type.startswith(OTHER_PREFIXES):
            raise GenesisError(f"{field}.type", f"invalid type {go_quote(key_type)} for this value")
        raise GenesisError(f"{field}.type", f"unknown type {go_quote(key_type)}")
    return str(key_type), _key_bytes(raw, f"{field}.value", KEY_TYPES[key_type][1])


def key_address(key_type: str, pub: bytes) -> bytes:
    if key_type == "tendermint/PubKeySecp256k1":
        return hashlib.new("ripemd160", hashlib.sha256(pub).digest()).digest()
    return hashlib.sha256(pub).digest()[:20]


def go_validator(address: bytes, key: tuple[str, bytes] | None, power: int, name: str) -> str:
    """Go's %v of a GenesisValidator, as Tendermint prints it in its errors."""
    shown = f"{KEY_TYPES[key[0]][2]}{{{key[1].hex().upper()}}}" if key else "<nil>"
    return f"{{{address.hex().upper()} {shown} {power} {name}}}"


def _go_duration(ns: int) -> str:
    """Go's time.Duration.String()."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 1000:
        return f"{sign}{ns}ns"

    def frac(value: int, unit: int) -> str:
        whole, rest = divmod(value, unit)
        digits = f"{rest:0{len(str(unit)) - 1}d}".rstrip("0")
        return f"{whole}.{digits}" if digits else str(whole)

    if ns < 1_000_000:
        return f"{sign}{frac(ns, 1000)}µs"
    if ns < 1_000_000_000:
        return f"{sign}{frac(ns, 1_000_000)}ms"
    hours, rest = divmod(ns, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if hours or minutes else "") + f"{frac(rest, 10**9)}s"
    return sign + out


def _decode_params(value: Any) -> dict[str, Any] | None:
    """tmproto.ConsensusParams decoded in struct order (block, evidence, validator, version)."""
    if value is None:
        return None
    f = "consensus_params"
    p = _obj(value, f)
    block = _obj(p.get("block"), f"{f}.block")
    out: dict[str, Any] = {k: _int(block.get(k), f"{f}.block.{k}") for k in ("max_bytes", "max_gas", "time_iota_ms")}
    ev = _obj(p.get("evidence"), f"{f}.evidence")
    out["max_age_num_blocks"] = _int(ev.get("max_age_num_blocks"), f"{f}.evidence.max_age_num_blocks")
    out["max_age_duration"] = _int(ev.get("max_age_duration"), f"{f}.evidence.max_age_duration", "time.Duration")
    out["ev_max_bytes"] = _int(ev.get("max_bytes"), f"{f}.evidence.max_bytes")
    val = _obj(p.get("validator"), f"{f}.validator")
    types = _list(val.get("pub_key_types"), f"{f}.validator.pub_key_types")
    out["pub_key_types"] = [_str(t, f"{f}.validator.pub_key_types[{i}]") for i, t in enumerate(types)]
    ver = _obj(p.get("version"), f"{f}.version")
    _int(ver.get("app_version"), f"{f}.version.app_version", "uint64", UINT64)
    return out


def _validate_params(p: dict[str, Any]) -> None:
    """types.ValidateConsensusParams: once consensus_params is present, every field counts (no defaults)."""
    mb, ev_bytes = p["max_bytes"], p["ev_max_bytes"]
    checks = [
        (mb <= 0, "block.max_bytes", f"block.MaxBytes must be greater than 0. Got {mb}"),
        (mb > MAX_BLOCK_SIZE_BYTES, "block.max_bytes", f"block.MaxBytes is too big. {mb} > {MAX_BLOCK_SIZE_BYTES}"),
        (p["max_gas"] < -1, "block.max_gas", f"block.MaxGas must be greater or equal to -1. Got {p['max_gas']}"),
        (p["time_iota_ms"] <= 0, "block.time_iota_ms",
         f"block.TimeIotaMs must be greater than 0. Got {p['time_iota_ms']}"),
        (p["max_age_num_blocks"] <= 0, "evidence.max_age_num_blocks",
         f"evidence.MaxAgeNumBlocks must be greater than 0. Got {p['max_age_num_blocks']}"),
        (p["max_age_duration"] <= 0, "evidence.max_age_duration",
         f"evidence.MaxAgeDuration must be grater than 0 if provided, Got {_go_duration(p['max_age_duration'])}"),
        (ev_bytes > mb, "evidence.max_bytes",
         f"evidence.MaxBytesEvidence is greater than upper bound, {ev_bytes} > {mb}"),
        (ev_bytes < 0, "evidence.max_bytes", f"evidence.MaxBytes must be non negative. Got: {ev_bytes}"),
        (not p["pub_key_types"], "validator.pub_key_types", "len(Validator.PubKeyTypes) must be greater than 0"),
    ]
    for bad, where, message in checks:
        if bad:
            raise GenesisError(f"consensus_params.{where}", message)
    for i, t in enumerate(p["pub_key_types"]):
        if t not in ABCI_KEY_TYPES:
            raise GenesisError(f"consensus_params.validator.pub_key_types[{i}]",
                               f"params.Validator.PubKeyTypes[{i}], {t}, is an unknown pubkey type")


def _wrapper_keys_repeat(doc: Any) -> bool:
    """A validator pub_key wrapper spelling `type` or `value` two ways ("value" and "Value"): encoding/json
    matches the keys case-insensitively and the last occurrence wins, an order a dict no longer holds."""
    validators = doc.get("validators") if isinstance(doc, dict) else None
    for v in validators if isinstance(validators, list) else ():
        key = v.get("pub_key") if isinstance(v, dict) else None
        if isinstance(key, dict) and len(key) > 2:
            folded = [k.lower() for k in key if k.lower() in ("type", "value")]
            if len(folded) != len(set(folded)):
                return True
    return False


def _plain_validator(v: Any) -> tuple[bytes, tuple[str, bytes], int, str] | None:
    """A validator written the way Tendermint writes one (exact keys, plain hex, base64 and integer text):
    decoded in one step with the answer the field-by-field path gives. None: take that path (it names the
    field Go stops at)."""
    if type(v) is not dict:
        return None
    address, pub, power, name = v.get("address"), v.get("pub_key"), v.get("power"), v.get("name")
    if type(address) is not str or type(power) is not str or type(name) is not str or type(pub) is not dict \
            or len(pub) != 2:
        return None
    key_type, value = pub.get("type"), pub.get("value")
    if type(key_type) is not str or key_type not in KEY_TYPES or type(value) is not str or len(value) % 4 \
            or not _B64_PLAIN.fullmatch(value) \
            or not _HEX.fullmatch(address) or not _PLAIN_INT.fullmatch(power):
        return None
    number = int(power)
    if not INT64[0] <= number <= INT64[1]:
        return None
    return bytes.fromhex(address), (key_type, binascii.a2b_base64(value)), number, name


def decode_genesis(data: bytes) -> Decoded:
    """GenesisDocFromJSON + the validator-set checks of node start. Raises GenesisError at the first problem,
    in Tendermint's order (fields decoded in struct order, then validated)."""
    if not data:
        raise GenesisError(None, "cannot decode empty bytes")
    try:
        doc = parse(data)
        if _wrapper_keys_repeat(doc):  # read again with every occurrence, in order, as Go sees them
            doc = parse(data, keep_pairs=True)
    except GoSyntaxError as exc:
        raise GenesisError(None, str(exc)) from None
    doc = _obj(doc, "")  # tmjson reads the document into map[string]json.RawMessage first
    genesis_time, parsed_time = _time(doc.get("genesis_time"), "genesis_time")
    chain_id = _str(doc.get("chain_id"), "chain_id")
    initial_height = _int(doc.get("initial_height"), "initial_height")
    params = _decode_params(doc.get("consensus_params"))
    decoded: list[tuple[str, bytes, tuple[str, bytes] | None, int, str]] = []  # pub_key None: absent
    for i, v in enumerate(_list(doc.get("validators"), "validators")):
        f = f"validators[{i}]"
        plain = _plain_validator(v)
        if plain is not None:
            decoded.append((f, *plain))
            continue
        v = _obj(v, f)
        decoded.append((f, _hex(v.get("address"), f"{f}.address"), _pub_key(v.get("pub_key"), f"{f}.pub_key"),
                        _int(v.get("power"), f"{f}.power"), _str(v.get("name"), f"{f}.name")))
    app_hash = _hex(doc.get("app_hash"), "app_hash")
    # ValidateAndComplete
    if not chain_id:
        raise GenesisError("chain_id", "genesis doc must include non-empty chain_id")
    if len(chain_id.encode("utf-8", "surrogateescape")) > MAX_CHAIN_ID_LEN:
        raise GenesisError("chain_id", f"chain_id in genesis doc is too long (max: {MAX_CHAIN_ID_LEN})")
    if initial_height < 0:
        raise GenesisError("initial_height", f"initial_height cannot be negative (got {initial_height})")
    if params is not None:
        _validate_params(params)
    validators = []
    for f, address, key, power, name in decoded:
        if power == 0:
            raise GenesisError(f"{f}.power", "the genesis file cannot contain validators with no voting power: "
                                             f"{go_validator(address, key, power, name)}")
        if key is None:
            raise GenesisError(f"{f}.pub_key", "missing: Tendermint calls PubKey.Address() on it and panics "
                                               "(Go: invalid memory address or nil pointer dereference)", panic=True)
        size = KEY_TYPES[key[0]][0]
        if len(key[1]) != size:
            raise GenesisError(f"{f}.pub_key.value", f"the key is {len(key[1])} bytes; a {key[0]} key has {size} "
                                                     "(Go: panic: pubkey is incorrect size)", panic=True)
        real = key_address(key[0], key[1])
        if address and address != real:
            raise GenesisError(f"{f}.address", "incorrect address for validator "
                                               f"{go_validator(address, key, power, name)} in the genesis file, "
                                               f"should be {real.hex().upper()}")
        validators.append(Validator(real.hex().upper(), key[0], key[1], power, name))
    _validator_set(validators)
    # at node start, after every check above
    if initial_height == INT64[1]:  # MakeGenesisState records the validators for initial_height + 1
        raise GenesisError("initial_height", f"{initial_height} is the largest int64: the next height overflows "
                                             "and the node stops at start (Go: error on replay: lastHeightChanged "
                                             "cannot be greater than ValidatorsInfo height)", panic=True)
    key_types = tuple(params["pub_key_types"]) if params is not None else ("ed25519",)
    return Decoded(chain_id, genesis_time, parsed_time, initial_height or 1, tuple(validators), params is not None,
                   key_types, app_hash)


def _validator_set(validators: list[Validator]) -> None:
    """types.NewValidatorSet at node start (state.MakeGenesisState), in its order (sorted by address):
    these panic with "Cannot create validator set: ...", so refuse them here."""
    # addresses are 40 upper-case hex digits, so their text sorts as their bytes do
    order = sorted(range(len(validators)), key=lambda i: validators[i].address)
    prefix = "Cannot create validator set: "
    prev: int | None = None
    total = 0
    for i in order:
        v = validators[i]
        f = f"validators[{i}]"
        if prev is not None and validators[prev].address == v.address:
            first, second = sorted((prev, i))
            shown = (f"Validator{{{v.address} {KEY_TYPES[v.key_type][2]}{{{v.pub_key.hex().upper()}}} "
                     f"VP:{v.power} A:0}}")
            raise GenesisError(f"validators[{second}].pub_key", f"{prefix}duplicate entry {shown} (validators[{first}] "
                                                                "has the same key)", panic=True)
        if v.power < 0:
            raise GenesisError(f"{f}.power", f"{prefix}voting power can't be negative: {v.power}", panic=True)
        if v.power > MAX_TOTAL_VOTING_POWER:
            raise GenesisError(f"{f}.power", f"{prefix}to prevent clipping/overflow, voting power can't be higher "
                                             f"than {MAX_TOTAL_VOTING_POWER}, got {v.power}", panic=True)
        total += v.power
        prev = i
    if total > MAX_TOTAL_VOTING_POWER:
        raise GenesisError("validators", f"{prefix}total voting power of resulting valset exceeds max "
                                         f"{MAX_TOTAL_VOTING_POWER} (the powers add up to {total})", panic=True)
