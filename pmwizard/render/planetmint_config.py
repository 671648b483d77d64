"""Planetmint's config file (`~/.planetmint`, JSON), merged: only the keys pmwizard owns change.

Key names are those of planetmint/config.py (Planetmint 2.5): `database` (backend `tarantool_db`, host,
port), `server.bind`, `wsserver` (scheme/host/port where it listens, advertised_* what clients are told),
`tendermint` (host, port of the RPC).
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmwizard.errors import InputError
from pmwizard.render.quoting import checked_hostname

DEFAULT_PATH = Path.home() / ".planetmint"  # without $PLANETMINT_CONFIG_PATH; use default_path()


def default_path() -> Path:
    """Where Planetmint reads its config: `$PLANETMINT_CONFIG_PATH` if set (planetmint/config_utils.py),
    else `~/.planetmint`. Looked up on each call so the environment of this run counts."""
    value = os.environ.get("PLANETMINT_CONFIG_PATH")
    return Path(value).expanduser().absolute() if value else Path.home() / ".planetmint"


MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PlanetmintSettings:
    """What the node's Planetmint must know: its database, its listening ports, its public WSS address."""

    hostname: str
    tarantool_port: int = 3303
    api_port: int = 9984
    ws_port: int = 9985
    tendermint_rpc_port: int = 26657
    public_port: int = 443


def read_existing(path: Path) -> dict[str, Any] | None:
    """The current file as a JSON object, None if absent; InputError naming the file if unusable."""
    from pmwizard.core.safeio import read_regular

    try:
        data = read_regular(path, MAX_CONFIG_BYTES)  # a FIFO or device in the config's place is refused
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror}") from None
    if data is None:
        return None
    if len(data) > MAX_CONFIG_BYTES:
        raise InputError(str(path), None, f"larger than {MAX_CONFIG_BYTES} bytes; not a Planetmint config")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), None, f"not valid JSON ({exc}); fix or move it, nothing was changed") from None
    if not isinstance(doc, dict):
        raise InputError(str(path), None, "is JSON but not an object; Planetmint expects {...}")
    for section in ("database", "server", "wsserver", "tendermint"):
        if section in doc and not isinstance(doc[section], dict):
            raise InputError(str(path), section, "is not an object; Planetmint expects {...} here")
    return doc


def merged_config(existing: dict[str, Any] | None, s: PlanetmintSettings) -> dict[str, Any]:
    """`existing` with pmwizard's keys set; every other key (and value) kept as it was."""
    from pmwizard.core.hostname import is_ip

    # an IP (LAN and test networks) has no NGINX in front: clients reach the streams on Planetmint's own port
    lan = is_ip(s.hostname)
    host = s.hostname.strip("[]") if lan else checked_hostname(s.hostname)
    doc = copy.deepcopy(existing) if existing else {}
    database = doc.setdefault("database", {})
    if database.get("backend") not in (None, "tarantool_db"):
        # Options of another backend (mongodb replicaset, ...) would confuse tarantool_db; start clean.
        database.clear()
    database.update({"backend": "tarantool_db", "host": "localhost", "port": int(s.tarantool_port)})
    doc.setdefault("server", {})["bind"] = f"localhost:{int(s.api_port)}"
    doc.setdefault("wsserver", {}).update({
        "scheme": "ws",
        "host": "localhost",
        "port": int(s.ws_port),
        # Clients reach the streams through NGINX over TLS on the public name.
        "advertised_scheme": "ws" if lan else "wss",
        "advertised_host": host,
        "advertised_port": int(s.ws_port if lan else s.public_port),
    })
    doc.setdefault("tendermint", {}).update({"host": "localhost", "port": int(s.tendermint_rpc_port)})
    return doc


def config_text(path: Path, s: PlanetmintSettings) -> str:
    """The new file text: Planetmint's own `configure` writes 4-space-indented JSON, so does this."""
    return json.dumps(merged_config(read_existing(path), s), indent=4, ensure_ascii=False) + "\n"
