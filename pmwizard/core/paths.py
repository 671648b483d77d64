"""Where things live: the Tendermint home and pmwizard's own state folder."""

from __future__ import annotations

import os
from pathlib import Path


def tendermint_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--home`, else `$TMHOME`, else `~/.tendermint` (Tendermint's own order)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("TMHOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".tendermint"


def state_dir() -> Path:
    """pmwizard's state (wizard progress, the last apply's journal): `$XDG_STATE_HOME/pmwizard`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pmwizard"
