"""Genesis files shaped like the Planetmint docs' example, which Tendermint 0.34 cannot load: bare-number
powers, the 0.2x-era `*_params` consensus sections, a zero genesis time, old key type tags. `docs_problems`
explains each problem in one line; `convert` offers the same network as a 0.34 document.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from pmwizard.core.genesis_json import GoSyntaxError, JNum, parse
from pmwizard.core.tmjson import ZERO_TIME, key_address

OLD_KEY_TYPES = {"AC26791624DE60", "ed25519", "tendermint/PubKeyEd25519", "PubKeyEd25519"}
OLD_PARAM_KEYS = {"block_size_params", "tx_size_params", "block_gossip_params", "evidence_params",
                  "block_size", "tx_size", "block_gossip"}


def docs_problems(doc: Any) -> list[tuple[str, str]]:
    """(field, explanation) per docs-era problem; [] when the document does not look like the docs' example."""
    if not isinstance(doc, dict):
        return []
    out: list[tuple[str, str]] = []
    params = doc.get("consensus_params")
    if isinstance(params, dict):
        old = sorted(k for k in params if k in OLD_PARAM_KEYS)
        if old:
            out.append(("consensus_params", (f"{', '.join(old)} are Tendermint 0.2x sections; 0.34 reads block, "
                                            "evidence, validator and version (and treats the missing ones as zero, "
                                            "which it refuses)")))
    listed = doc.get("validators")
    for i, v in enumerate(listed if isinstance(listed, list) else []):
        if not isinstance(v, dict):
            continue
        power = v.get("power")
        if isinstance(power, JNum):
            out.append((f"validators[{i}].power", (f'is the number {power.text}; Tendermint 0.34 needs a string '
                                                  f'("{power.text}")')))
        key = v.get("pub_key")
        if isinstance(key, dict):
            if isinstance(key.get("type"), str) and key["type"] in OLD_KEY_TYPES - {"tendermint/PubKeyEd25519"}:
                out.append((f"validators[{i}].pub_key.type", (f"{key['type']!r} is an old tag; 0.34 reads "
                                                             "\"tendermint/PubKeyEd25519\"")))
            if "data" in key and "value" not in key:
                out.append((f"validators[{i}].pub_key", 'the key is under "data"; 0.34 reads "value"'))
    return out


def _key_value(key: dict) -> str | None:
    value = key.get("value", key.get("data"))
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value if len(raw) == 32 else None


def _whole(value: Any, lowest: int) -> int | None:
    """A docs-era integer (bare number or string) if it is a sane whole number >= lowest."""
    text = value.text if isinstance(value, JNum) else value
    if isinstance(text, str) and re.fullmatch(r"-?[0-9]{1,18}", text) and int(text) >= lowest:
        return int(text)
    return None


def convert(doc: dict, genesis_time: str) -> str | None:
    """The 0.34 document for a docs-shaped one, checked with the 0.34 rules; None if it cannot be salvaged
    (an unusable key, no chain_id)."""
    from pmwizard.core.genesis import default_params, layout, validate_genesis
    from pmwizard.core.tmjson import MAX_BLOCK_SIZE_BYTES, GenesisError, parse_time

    validators = []
    listed = doc.get("validators")
    for v in listed if isinstance(listed, list) else []:
        key = v.get("pub_key") if isinstance(v, dict) else None
        value = _key_value(key) if isinstance(key, dict) else None
        power = _whole(v.get("power", "10"), 1) if isinstance(v, dict) else None
        if value is None or power is None:
            return None
        name = v.get("name")
        address = key_address("tendermint/PubKeyEd25519", base64.b64decode(value)).hex().upper()
        validators.append({"address": address, "pub_key": {"type": "tendermint/PubKeyEd25519", "value": value},
                           "power": str(power), "name": name if isinstance(name, str) else ""})
    params = default_params()
    old = found if isinstance(found := doc.get("consensus_params"), dict) else {}
    old_block = found if isinstance(found := old.get("block_size_params"), dict) else {}
    max_bytes = _whole(old_block.get("max_bytes"), 1)
    if max_bytes is not None:
        params["block"]["max_bytes"] = str(min(max_bytes, MAX_BLOCK_SIZE_BYTES))
        params["evidence"]["max_bytes"] = str(min(1048576, int(params["block"]["max_bytes"])))
    max_gas = _whole(old_block.get("max_gas"), -1)
    if max_gas is not None:
        params["block"]["max_gas"] = str(max_gas)
    old_ev = found if isinstance(found := old.get("evidence_params"), dict) else {}
    max_age = _whole(old_ev.get("max_age"), 1)
    if max_age is not None:
        params["evidence"]["max_age_num_blocks"] = str(max_age)
    when = doc.get("genesis_time")
    try:
        when = genesis_time if when in (None, ZERO_TIME) else parse_time(when, "genesis_time")
    except GenesisError:
        when = genesis_time
    app_hash = doc.get("app_hash")
    out = {"genesis_time": when, "chain_id": doc.get("chain_id"), "initial_height": "1", "consensus_params": params,
           "validators": validators,
           "app_hash": app_hash if isinstance(app_hash, str) and re.fullmatch(r"([0-9a-fA-F]{2})*", app_hash) else ""}
    if "app_state" in doc:
        out["app_state"] = doc["app_state"]
    text = layout(out)
    return text if validate_genesis(text.encode(), "converted").valid else None


def parse_loose(data: bytes) -> Any:
    try:
        return parse(data)
    except GoSyntaxError:
        return None
