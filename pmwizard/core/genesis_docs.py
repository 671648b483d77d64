"""Genesis files shaped like the Planetmint docs' example, which Tendermint 0.34 cannot load: bare-number
powers, the 0.2x-era `*_params` consensus sections, a zero genesis time, old key type tags. `docs_problems`
explains each problem in one line; `convert` offers the same network as a 0.34 document.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pmwizard.core.tmjson import ZERO_TIME, key_address

OLD_KEY_TYPES = {"AC26791624DE60", "ed25519", "tendermint/PubKeyEd25519", "PubKeyEd25519"}
OLD_PARAM_KEYS = {"block_size_params", "tx_size_params", "block_gossip_params", "evidence_params",
                  "block_size", "tx_size", "block_gossip"}


def docs_problems(doc: Any) -> list[str]:
    """One line per docs-era problem; [] when the document does not look like the docs' example."""
    if not isinstance(doc, dict):
        return []
    out: list[str] = []
    params = doc.get("consensus_params")
    if isinstance(params, dict):
        old = sorted(k for k in params if k in OLD_PARAM_KEYS)
        if old:
            out.append(f"consensus_params: {', '.join(old)} are Tendermint 0.2x sections; 0.34 reads block, "
                       "evidence, validator and version (and treats the missing ones as zero, which it refuses)")
    for i, v in enumerate(doc.get("validators") or []):
        if not isinstance(v, dict):
            continue
        power = v.get("power")
        if isinstance(power, int | float) and not isinstance(power, bool):
            out.append(f'validators[{i}].power: is the number {power}; Tendermint 0.34 needs a string ("{power}")')
        key = v.get("pub_key")
        if isinstance(key, dict):
            if key.get("type") in OLD_KEY_TYPES - {"tendermint/PubKeyEd25519"}:
                out.append(f"validators[{i}].pub_key.type: {key.get('type')!r} is an old tag; 0.34 reads "
                           "\"tendermint/PubKeyEd25519\"")
            if "data" in key and "value" not in key:
                out.append(f'validators[{i}].pub_key: the key is under "data"; 0.34 reads "value"')
    if out and doc.get("genesis_time") in (None, ZERO_TIME):
        out.append("genesis_time: the zero time makes every node pick its own start time; write one UTC time "
                   "that all members share")
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


def convert(doc: dict, genesis_time: str) -> str | None:
    """The 0.34 document for a docs-shaped one (None if a key cannot be salvaged); see genesis.layout."""
    from pmwizard.core.genesis import default_params, layout

    validators = []
    for v in doc.get("validators") or []:
        key = v.get("pub_key") if isinstance(v, dict) else None
        value = _key_value(key) if isinstance(key, dict) else None
        if value is None:
            return None
        try:
            power = int(str(v.get("power", 10)))
        except ValueError:
            return None
        address = key_address("tendermint/PubKeyEd25519", base64.b64decode(value)).hex().upper()
        validators.append({"address": address, "pub_key": {"type": "tendermint/PubKeyEd25519", "value": value},
                           "power": str(power), "name": str(v.get("name", ""))})
    params = default_params()
    old_block = (doc.get("consensus_params") or {}).get("block_size_params") or {}
    for key in ("max_bytes", "max_gas"):
        if str(old_block.get(key, "")).lstrip("-").isdigit():
            params["block"][key] = str(old_block[key])
    time = doc.get("genesis_time")
    out = {"genesis_time": genesis_time if time in (None, ZERO_TIME) else time, "chain_id": doc.get("chain_id"),
           "initial_height": "1", "consensus_params": params, "validators": validators,
           "app_hash": doc.get("app_hash") or ""}
    if "app_state" in doc:
        out["app_state"] = doc["app_state"]
    return layout(out)


def parse_loose(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
