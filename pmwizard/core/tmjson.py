"""Tendermint 0.34's genesis rules, transcribed: `types.GenesisDocFromJSON` (tmjson decoding, then
`ValidateAndComplete`) and what makes `tendermint node` panic when it builds the validator set.

`decode_genesis` raises GenesisError with Tendermint's own wording (Go's error strings) so an operator can
match it with what a node would log; `field` says where (e.g. `validators[1].power`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_CHAIN_ID_LEN = 50
MAX_BLOCK_SIZE_BYTES = 104857600
MAX_TOTAL_VOTING_POWER = (2**63 - 1) // 8
INT64 = (-(2**63), 2**63 - 1)
UINT64 = (0, 2**64 - 1)
KEY_TYPES = {"tendermint/PubKeyEd25519": 32, "tendermint/PubKeySecp256k1": 33, "tendermint/PubKeySr25519": 32}
ABCI_KEY_TYPES = {"ed25519", "secp256k1"}
ZERO_TIME = "0001-01-01T00:00:00Z"
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?Z")


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
    initial_height: int
    validators: tuple[Validator, ...]
    params_given: bool


def _go_char(ch: str) -> str:
    return f"'{ch}'" if ch.isprintable() else "'" + ch.encode("unicode_escape").decode() + "'"


def _go_number_error(text: str) -> str:
    """What Go's encoding/json says about `text` given as a whole JSON document that should be a number."""
    if not text:
        return "unexpected end of JSON input"
    m = _NUMBER.match(text)
    if not m:
        return f"invalid character {_go_char(text[0])} looking for beginning of value"
    return f"invalid character {_go_char(text[m.end()])} after top-level value"


def _raw(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _int(value: Any, field: str, bounds: tuple[int, int] = INT64, kind: str = "int64") -> int:
    """tmjson: 64-bit integers are JSON strings holding a JSON number."""
    if value is None:
        return 0
    if not isinstance(value, str):
        raise GenesisError(field, f"invalid 64-bit integer encoding {json.dumps(_raw(value))}, expected string")
    if not _NUMBER.fullmatch(value):
        raise GenesisError(field, _go_number_error(value))
    if not re.fullmatch(r"-?\d+", value) or not bounds[0] <= int(value) <= bounds[1]:
        raise GenesisError(field, f"json: cannot unmarshal number {value} into Go value of type {kind}")
    return int(value)


def _str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise GenesisError(field, f"json: cannot unmarshal {_json_kind(value)} into Go value of type string")
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _obj(value: Any, field: str, go_type: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GenesisError(field, f"json: cannot unmarshal {_json_kind(value)} into Go value of type {go_type}")
    return value


def _hex(value: Any, field: str) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        raise GenesisError(field, f"invalid hex string: {_raw(value)}")
    for ch in value:  # Go's decoder reports the first bad character, before the odd length
        if ch not in "0123456789abcdefABCDEF":
            shown = f" {_go_char(ch)}" if ch.isprintable() else ""
            raise GenesisError(field, f"encoding/hex: invalid byte: U+{ord(ch):04X}{shown}")
    if len(value) % 2:
        raise GenesisError(field, "encoding/hex: odd length hex string")
    return bytes.fromhex(value)


def parse_time(value: Any, field: str) -> str:
    """tmjson time: a JSON string in RFC 3339 that must be UTC with a trailing Z."""
    if not isinstance(value, str):
        if value is None:
            return ZERO_TIME
        raise GenesisError(field, f"JSON time must be UTC and end with 'Z', but got {_raw(value)}")
    if not value.endswith("Z"):
        raise GenesisError(field, f"JSON time must be UTC and end with 'Z', but got {json.dumps(value)}")
    m = _TIME.fullmatch(value)
    if not m:
        raise GenesisError(field, f'parsing time {json.dumps(value)} as "2006-01-02T15:04:05Z07:00": not RFC 3339')
    try:
        datetime(*(int(g) for g in m.groups()[:6]))  # a range check only
    except ValueError as exc:
        raise GenesisError(field, f"parsing time {json.dumps(value)}: {exc}") from None
    return value


def _pub_key(value: Any, field: str) -> tuple[str, bytes] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise GenesisError(field, f"json: cannot unmarshal {_json_kind(value)} into Go value of type "
                                  "json.interfaceWrapper")
    lower = {k.lower(): v for k, v in value.items()}
    key_type, raw = value.get("type", lower.get("type")), value.get("value", lower.get("value"))
    if key_type is not None and not isinstance(key_type, str):
        raise GenesisError(f"{field}.type", f"json: cannot unmarshal {_json_kind(key_type)} into Go struct field "
                                            "interfaceWrapper.type of type string")
    if not key_type:
        raise GenesisError(field, "interface type cannot be empty")
    if "value" not in lower:
        raise GenesisError(field, "interface value cannot be empty")
    if key_type not in KEY_TYPES:
        raise GenesisError(f"{field}.type", f'unknown type "{key_type}"')
    if raw is None:
        return key_type, b""
    if not isinstance(raw, str):
        raise GenesisError(f"{field}.value", f"json: cannot unmarshal {_json_kind(raw)} into Go value of type "
                                             "[]uint8")
    try:
        return key_type, base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise GenesisError(f"{field}.value", "illegal base64 data (not standard base64)") from None


def key_address(key_type: str, pub: bytes) -> bytes:
    if key_type == "tendermint/PubKeySecp256k1":
        return hashlib.new("ripemd160", hashlib.sha256(pub).digest()).digest()
    return hashlib.sha256(pub).digest()[:20]


def _go_validator(address: bytes, key_type: str, pub: bytes, power: int, name: str) -> str:
    """Go's %v of a GenesisValidator, as Tendermint prints it in its errors."""
    kind = {"tendermint/PubKeyEd25519": "PubKeyEd25519", "tendermint/PubKeySecp256k1": "PubKeySecp256k1",
            "tendermint/PubKeySr25519": "PubKeySr25519"}.get(key_type, key_type)
    return f"{{{address.hex().upper()} {kind}{{{pub.hex().upper()}}} {power} {name}}}"


def _go_duration(ns: int) -> str:
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    if ns < 1000:
        return f"{sign}{ns}ns"
    if ns < 1_000_000:
        return f"{sign}{ns / 1000:g}µs"
    if ns < 1_000_000_000:
        return f"{sign}{ns / 1_000_000:g}ms"
    secs = ns / 1e9
    h, rest = divmod(secs, 3600)
    m, s = divmod(rest, 60)
    out = (f"{int(h)}h" if h else "") + (f"{int(m)}m" if h or m else "") + f"{s:g}s"
    return sign + out


def _consensus_params(value: Any) -> None:
    """tmjson decoding of tmproto.ConsensusParams, then types.ValidateConsensusParams (all or nothing)."""
    p = _obj(value, "consensus_params", "types.ConsensusParams")
    block = _obj(p.get("block"), "consensus_params.block", "types.BlockParams")
    ev = _obj(p.get("evidence"), "consensus_params.evidence", "types.EvidenceParams")
    val = _obj(p.get("validator"), "consensus_params.validator", "types.ValidatorParams")
    ver = _obj(p.get("version"), "consensus_params.version", "types.VersionParams")
    f = "consensus_params"
    max_bytes = _int(block.get("max_bytes"), f"{f}.block.max_bytes")
    max_gas = _int(block.get("max_gas"), f"{f}.block.max_gas")
    iota = _int(block.get("time_iota_ms"), f"{f}.block.time_iota_ms")
    age_blocks = _int(ev.get("max_age_num_blocks"), f"{f}.evidence.max_age_num_blocks")
    age_dur = _int(ev.get("max_age_duration"), f"{f}.evidence.max_age_duration")
    ev_bytes = _int(ev.get("max_bytes"), f"{f}.evidence.max_bytes")
    types_raw = val.get("pub_key_types")
    if types_raw is not None and not isinstance(types_raw, list):
        raise GenesisError(f"{f}.validator.pub_key_types", f"json: cannot unmarshal {_json_kind(types_raw)} into "
                                                           "Go value of type []json.RawMessage")
    key_types = [_str(t, f"{f}.validator.pub_key_types[{i}]") for i, t in enumerate(types_raw or [])]
    _int(ver.get("app_version"), f"{f}.version.app_version", UINT64, "uint64")
    checks = [
        (max_bytes <= 0, "block.max_bytes", f"block.MaxBytes must be greater than 0. Got {max_bytes}"),
        (max_bytes > MAX_BLOCK_SIZE_BYTES, "block.max_bytes",
         f"block.MaxBytes is too big. {max_bytes} > {MAX_BLOCK_SIZE_BYTES}"),
        (max_gas < -1, "block.max_gas", f"block.MaxGas must be greater or equal to -1. Got {max_gas}"),
        (iota <= 0, "block.time_iota_ms", f"block.TimeIotaMs must be greater than 0. Got {iota}"),
        (age_blocks <= 0, "evidence.max_age_num_blocks",
         f"evidence.MaxAgeNumBlocks must be greater than 0. Got {age_blocks}"),
        (age_dur <= 0, "evidence.max_age_duration",
         f"evidence.MaxAgeDuration must be grater than 0 if provided, Got {_go_duration(age_dur)}"),
        (ev_bytes > max_bytes, "evidence.max_bytes",
         f"evidence.MaxBytesEvidence is greater than upper bound, {ev_bytes} > {max_bytes}"),
        (ev_bytes < 0, "evidence.max_bytes", f"evidence.MaxBytes must be non negative. Got: {ev_bytes}"),
        (not key_types, "validator.pub_key_types", "len(Validator.PubKeyTypes) must be greater than 0"),
    ]
    for bad, where, message in checks:
        if bad:
            raise GenesisError(f"{f}.{where}", message)
    for i, t in enumerate(key_types):
        if t not in ABCI_KEY_TYPES:
            raise GenesisError(f"{f}.validator.pub_key_types[{i}]",
                               f"params.Validator.PubKeyTypes[{i}], {t}, is an unknown pubkey type")


def decode_genesis(data: bytes) -> Decoded:
    """GenesisDocFromJSON + the validator-set checks of node start. Raises GenesisError at the first problem,
    in Tendermint's order (fields decoded in struct order, then validated)."""
    if not data:
        raise GenesisError(None, "cannot decode empty bytes")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise GenesisError(None, f"invalid UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise GenesisError(None, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise GenesisError(None, "not valid JSON: nested too deeply") from None
    if doc is not None and not isinstance(doc, dict):
        raise GenesisError(None, f"json: cannot unmarshal {_json_kind(doc)} into Go value of type "
                                 "map[string]json.RawMessage")
    doc = doc or {}
    genesis_time = parse_time(doc.get("genesis_time"), "genesis_time")
    chain_id = _str(doc.get("chain_id"), "chain_id")
    initial_height = _int(doc.get("initial_height"), "initial_height")
    params_given = doc.get("consensus_params") is not None
    raw_validators = doc.get("validators")
    if raw_validators is not None and not isinstance(raw_validators, list):
        raise GenesisError("validators", f"json: cannot unmarshal {_json_kind(raw_validators)} into Go value of "
                                         "type []types.GenesisValidator")
    decoded = []
    for i, v in enumerate(raw_validators or []):
        f = f"validators[{i}]"
        v = _obj(v, f, "types.GenesisValidator")
        address = _hex(v.get("address"), f"{f}.address")
        key = _pub_key(v.get("pub_key"), f"{f}.pub_key")
        power = _int(v.get("power"), f"{f}.power")
        name = _str(v.get("name"), f"{f}.name")
        decoded.append((f, address, key, power, name))
    _hex(doc.get("app_hash"), "app_hash")
    # ValidateAndComplete
    if not chain_id:
        raise GenesisError("chain_id", "genesis doc must include non-empty chain_id")
    if len(chain_id.encode()) > MAX_CHAIN_ID_LEN:
        raise GenesisError("chain_id", f"chain_id in genesis doc is too long (max: {MAX_CHAIN_ID_LEN})")
    if initial_height < 0:
        raise GenesisError("initial_height", f"initial_height cannot be negative (got {initial_height})")
    if params_given:
        _consensus_params(doc["consensus_params"])
    validators = []
    for f, address, key, power, name in decoded:
        if power == 0:
            shown = _go_validator(address, key[0], key[1], power, name) if key else "{...}"
            raise GenesisError(f"{f}.power", f"the genesis file cannot contain validators with no voting power: "
                                             f"{shown}")
        if key is None:
            raise GenesisError(f"{f}.pub_key", "missing: Tendermint dereferences a nil key here and panics "
                                               "(nil pointer dereference)", panic=True)
        key_type, pub = key
        if len(pub) != KEY_TYPES[key_type]:
            raise GenesisError(f"{f}.pub_key.value", f"the key is {len(pub)} bytes; a {key_type} key has "
                                                     f"{KEY_TYPES[key_type]} (Go: pubkey is incorrect "
                                                     "size)", panic=True)
        real = key_address(key_type, pub)
        if address and address != real:
            raise GenesisError(f"{f}.address", f"incorrect address for validator "
                                               f"{_go_validator(address, key_type, pub, power, name)} in the "
                                               f"genesis file, should be {real.hex().upper()}")
        validators.append(Validator(real.hex().upper(), key_type, pub, power, name))
    _validator_set(validators)
    return Decoded(chain_id, genesis_time, initial_height or 1, tuple(validators), params_given)


def _validator_set(validators: list[Validator]) -> None:
    """types.NewValidatorSet at node start (state.MakeGenesisState): these panic, so refuse them here."""
    seen: dict[str, int] = {}
    total = 0
    for i, v in enumerate(validators):
        f = f"validators[{i}]"
        if v.power < 0:
            raise GenesisError(f"{f}.power", f"Cannot create validator set: voting power can't be negative: "
                                             f"{v.power}", panic=True)
        if v.power > MAX_TOTAL_VOTING_POWER:
            raise GenesisError(f"{f}.power", f"Cannot create validator set: voting power can't be higher than "
                                             f"{MAX_TOTAL_VOTING_POWER}, got {v.power}",
                               panic=True)
        if v.address in seen:
            raise GenesisError(f"{f}.pub_key", f"Cannot create validator set: duplicate entry {v.address} (the "
                                               f"same key as validators[{seen[v.address]}])",
                               panic=True)
        seen[v.address] = i
        total += v.power
        if total > MAX_TOTAL_VOTING_POWER:
            raise GenesisError("validators", f"total voting power {total} exceeds maximum "
                                             f"{MAX_TOTAL_VOTING_POWER}", panic=True)
