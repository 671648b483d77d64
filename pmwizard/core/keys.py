"""A Tendermint 0.34 node's keys, read and written exactly in Tendermint's formats.

Files (under the home): `config/priv_validator_key.json` + `data/priv_validator_state.json` (the validator),
`config/node_key.json` (the P2P identity), and the pre-0.28 single file `config/priv_validator.json` that
the Planetmint docs still show. The validator address is SHA256(pub)[:20] in UPPERCASE hex; the node ID is
the same 20 bytes of the node key in lowercase hex. Private keys are read only to check them and to sign;
they never leave this module in any returned value.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from nacl.bindings import crypto_hash_sha256
from nacl.signing import SigningKey

from pmwizard.errors import InputError

if TYPE_CHECKING:  # reading keys (identity show) needs no plan machinery; writing imports it
    from pmwizard.core.plan import Plan

PUB_TYPE = "tendermint/PubKeyEd25519"
PRIV_TYPE = "tendermint/PrivKeyEd25519"
MAX_KEY_FILE = 64 * 1024

VALIDATOR_KEY = "config/priv_validator_key.json"
VALIDATOR_STATE = "data/priv_validator_state.json"
NODE_KEY = "config/node_key.json"
LEGACY_VALIDATOR = "config/priv_validator.json"


def validator_address(pub: bytes) -> str:
    """Tendermint's validator address: SHA256(pub)[:20], uppercase hex."""
    return crypto_hash_sha256(pub)[:20].hex().upper()


def node_id_of(pub: bytes) -> str:
    """Tendermint's node ID: SHA256(node pub)[:20], lowercase hex."""
    return crypto_hash_sha256(pub)[:20].hex()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_b64(text: Any, source: str, field_name: str, size: int | None = None) -> bytes:
    """Strict base64 (as Go's StdEncoding); InputError naming file and field otherwise."""
    if not isinstance(text, str):
        raise InputError(source, field_name, f"expected a base64 string, found {type(text).__name__}")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(source, field_name, "is not valid base64") from None
    if size is not None and len(raw) != size:
        raise InputError(source, field_name, f"decodes to {len(raw)} bytes; an ed25519 key here has {size}")
    return raw


class KeyPair:
    """A checked ed25519 key: the 32-byte public key, and the signer kept private to this module.
    (Plain classes here, not dataclasses: `identity show` starts faster without importing dataclasses.)"""

    __slots__ = ("_seed", "pub")

    def __init__(self, pub: bytes, seed: bytes) -> None:
        self.pub, self._seed = pub, seed

    def __repr__(self) -> str:
        return f"KeyPair(pub={self.pub.hex()})"

    def sign(self, message: bytes) -> bytes:
        return SigningKey(self._seed).sign(message).signature


class NodeIdentity(NamedTuple):
    """What a node may show the world: validator address and public key, node ID and node public key."""

    home: Path
    address: str
    pub_key: str
    node_id: str
    node_pub_key: str
    files: dict[str, str]
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"home": str(self.home), "address": self.address,
                "pub_key": {"type": PUB_TYPE, "value": self.pub_key}, "node_id": self.node_id,
                "node_pub_key": {"type": PUB_TYPE, "value": self.node_pub_key},
                "files": dict(self.files), "warnings": list(self.warnings)}


def read_key_object(path: Path, limit: int = MAX_KEY_FILE) -> dict[str, Any]:
    """A key or state file's JSON object, read defensively: size-limited, UTF-8, errors name the file."""
    from pmwizard.core.safeio import NotRegular, os_error_reason, read_regular

    src = str(path)
    try:
        data = read_regular(path, limit)  # a FIFO or a device in a key's place is refused, never waited on
    except NotRegular as exc:
        raise InputError(src, None, f"is {exc.kind}, not a key file") from None
    except OSError as exc:
        raise InputError(src, None, f"cannot be read: {os_error_reason(exc)}") from None
    if data is None:
        raise InputError(src, None, "does not exist")
    if len(data) > limit:
        raise InputError(src, None, f"is larger than {limit // 1024} KiB; this is not a key file")
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(src, None, "is not UTF-8 text") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(src, None, f"is not valid JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(obj, dict):
        raise InputError(src, None, "expected a JSON object")
    return obj


def _typed(obj: Any, key: str, want: str, source: str) -> Any:
    wrapper = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(wrapper, dict):
        raise InputError(source, key, 'missing (expected {"type": ..., "value": ...})')
    if wrapper.get("type") != want:
        raise InputError(source, f"{key}.type", f"is {wrapper.get('type')!r}; expected {want!r}")
    return wrapper.get("value")  # as written (any JSON value): decode_b64 checks it is a base64 string


def private_key_from(obj: Any, source: str, key: str = "priv_key") -> KeyPair:
    """Check a `priv_key` value: 64 bytes, seed || pub, where pub really is the seed's public key.

    Tendermint does not check the second half; if it differs it signs with one key and announces another.
    """
    raw = decode_b64(_typed(obj, key, PRIV_TYPE, source), source, f"{key}.value")
    if len(raw) != 64:
        raise InputError(source, f"{key}.value", f"decodes to {len(raw)} bytes; an ed25519 private key has 64 "
                                                 "(32-byte seed followed by the 32-byte public key)")
    seed, pub = raw[:32], raw[32:]
    if bytes(SigningKey(seed).verify_key) != pub:
        raise InputError(source, f"{key}.value", "its second half is not the public key of its first half; "
                                                 "Tendermint would sign with a different key than it announces")
    return KeyPair(pub, seed)


def _check_pub(obj: dict, pair: KeyPair, source: str) -> None:
    if "pub_key" in obj:
        pub = decode_b64(_typed(obj, "pub_key", PUB_TYPE, source), source, "pub_key.value", 32)
        if pub != pair.pub:
            raise InputError(source, "pub_key.value", "is not the public key of priv_key")
    if "address" in obj:
        addr = obj["address"]
        if not isinstance(addr, str) or addr.upper() != validator_address(pair.pub):
            raise InputError(source, "address", f"is {addr!r}; the key's address is {validator_address(pair.pub)}")


def load_validator_key(home: Path) -> KeyPair:
    """The validator key from priv_validator_key.json, else the legacy priv_validator.json."""
    path = home / VALIDATOR_KEY
    if not path.exists() and (home / LEGACY_VALIDATOR).exists():
        path = home / LEGACY_VALIDATOR
    return _read_validator(path)[1]


def _read_validator(path: Path) -> tuple[dict[str, Any], KeyPair]:
    """A validator key file's object and its checked key (public key and address agree with the private)."""
    obj = read_key_object(path)
    pair = private_key_from(obj, str(path))
    _check_pub(obj, pair, str(path))
    return obj, pair


def load_node_key(home: Path) -> KeyPair:
    path = home / NODE_KEY
    return private_key_from(read_key_object(path), str(path))


def permission_warnings(home: Path) -> list[str]:
    """Key files readable by others, key folders writable by others, key files that are symlinks."""
    out = []
    for rel in (VALIDATOR_KEY, NODE_KEY, LEGACY_VALIDATOR):
        p = home / rel
        if p.is_symlink():
            out.append(f"{p} is a symbolic link; pmwizard will not write through it")
        elif p.exists() and stat.S_IMODE(p.stat().st_mode) & 0o077:
            out.append(f"{p} can be read by other users (mode {stat.S_IMODE(p.stat().st_mode):o}); "
                       f"fix: chmod 600 {p}")
    for folder in (home, home / "config"):
        if folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) & 0o002:
            out.append(f"{folder} is writable by every user; fix: chmod 700 {folder}")
    return out


def files_found(home: Path) -> dict[str, str]:
    found = {rel: ("found" if (home / rel).exists() else "missing")
             for rel in (VALIDATOR_KEY, VALIDATOR_STATE, NODE_KEY)}
    if (home / LEGACY_VALIDATOR).exists():
        found[LEGACY_VALIDATOR] = "found (pre-0.28 format)"
    return found


def load_identity(home: Path) -> NodeIdentity:
    """Read and check both keys; InputError (file + field) when a key is missing or bad."""
    home = Path(home)
    if not (home / VALIDATOR_KEY).exists() and not (home / LEGACY_VALIDATOR).exists():
        raise InputError(str(home / VALIDATOR_KEY), None,
                         "does not exist; create the keys with `pmwizard identity init`")
    validator = load_validator_key(home)
    node = load_node_key(home)
    warnings = permission_warnings(home)
    if not (home / VALIDATOR_KEY).exists():
        warnings.insert(0, f"{home / LEGACY_VALIDATOR} is the pre-0.28 format Tendermint 0.34 no longer reads; "
                           "convert it with `pmwizard identity init --convert-legacy`")
    elif not (home / VALIDATOR_STATE).exists():
        warnings.insert(0, f"{home / VALIDATOR_STATE} is missing; Tendermint will not start without it")
    return NodeIdentity(home, validator_address(validator.pub), b64(validator.pub), node_id_of(node.pub),
                        b64(node.pub), files_found(home), tuple(warnings))


# --- writing keys in Tendermint's exact layout (tmjson.MarshalIndent with 2 spaces, no final newline) ---

def validator_key_text(seed: bytes) -> str:
    pub = bytes(SigningKey(seed).verify_key)
    doc = {"address": validator_address(pub), "pub_key": {"type": PUB_TYPE, "value": b64(pub)},
           "priv_key": {"type": PRIV_TYPE, "value": b64(seed + pub)}}
    return json.dumps(doc, indent=2)


def node_key_text(seed: bytes) -> str:
    pub = bytes(SigningKey(seed).verify_key)
    return json.dumps({"priv_key": {"type": PRIV_TYPE, "value": b64(seed + pub)}}, separators=(",", ":"))


ZERO_STATE = json.dumps({"height": "0", "round": 0, "step": 0}, indent=2)
KEY_NOTE = "new key: created 0600 in a 0700 folder; never overwritten (the content is not shown)"


def init_plan(home: Path, *, seeds: tuple[bytes, bytes] | None = None) -> Plan:
    """Create only what is missing. A zero state file is written only together with a new validator key."""
    from pmwizard.core.plan import Plan

    home = Path(home)
    plan = Plan()
    vseed, nseed = seeds or (os.urandom(32), os.urandom(32))
    has_validator = (home / VALIDATOR_KEY).exists() or (home / LEGACY_VALIDATOR).exists()
    if not has_validator:
        plan.add(home / VALIDATOR_KEY, validator_key_text(vseed), mode=0o600, dir_mode=0o700, create_only=True,
                 notes=(KEY_NOTE,), secret=True)
        if not (home / VALIDATOR_STATE).exists():
            plan.add(home / VALIDATOR_STATE, ZERO_STATE, mode=0o600, dir_mode=0o700, create_only=True,
                     notes=("a fresh signing state (height 0) for the new validator key",))
    if not (home / NODE_KEY).exists():
        plan.add(home / NODE_KEY, node_key_text(nseed), mode=0o600, dir_mode=0o700, create_only=True,
                 notes=(KEY_NOTE,), secret=True)
    return plan


def convert_legacy_plan(home: Path) -> Plan:
    """priv_validator.json (pre-0.28) -> priv_validator_key.json + priv_validator_state.json.

    The signing state (last height/round/step/signature) is carried over, so the node cannot double-sign a
    height it already signed. Call `keep_legacy_as_backup` after applying.
    """
    home = Path(home)
    src = home / LEGACY_VALIDATOR
    obj, pair = _read_validator(src)
    if (home / VALIDATOR_KEY).exists():
        raise InputError(str(home / VALIDATOR_KEY), None, "already exists; nothing to convert (never overwritten)")
    state: dict[str, Any] = {"height": "0", "round": 0, "step": 0}
    for old, new, kind in (("last_height", "height", str), ("last_round", "round", int), ("last_step", "step", int)):
        if old in obj:
            try:
                state[new] = kind(int(str(obj[old])))
            except ValueError:
                raise InputError(str(src), old, f"is {obj[old]!r}; expected a whole number") from None
    for old, new in (("last_signature", "signature"), ("last_signbytes", "signbytes")):
        if obj.get(old):
            state[new] = obj[old]
    from pmwizard.core.plan import Plan

    plan = Plan()
    plan.add(home / VALIDATOR_KEY, validator_key_text(pair._seed), mode=0o600, dir_mode=0o700, create_only=True,
             notes=(f"converted from {src} (same key)", KEY_NOTE), secret=True)
    plan.add(home / VALIDATOR_STATE, json.dumps(state, indent=2), mode=0o600, dir_mode=0o700,
             create_only=not (home / VALIDATOR_STATE).exists(),
             notes=(f"signing state carried over from {src} (height {state['height']})",))
    return plan


def keep_legacy_as_backup(home: Path) -> Path | None:
    """After a conversion: move priv_validator.json aside as .bak (never replacing an existing backup)."""
    src = Path(home) / LEGACY_VALIDATOR
    if not src.exists():
        return None
    dest = src.with_name(src.name + ".bak")
    n = 1
    while dest.exists():
        dest = src.with_name(f"{src.name}.bak{n}")
        n += 1
    os.link(src, dest)
    src.unlink()
    return dest


def sign_as_validator(home: Path, message: bytes) -> bytes:
    return load_validator_key(Path(home)).sign(message)


def sign_as_node(home: Path, message: bytes) -> bytes:
    return load_node_key(Path(home)).sign(message)
