"""Where things live: the Tendermint/CometBFT home and pmwizard's own state folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from pmwizard.errors import InputError


class NodeHome(NamedTuple):
    """A node home and why it was chosen (shown to the operator: "using ~/.cometbft (it exists)")."""

    path: Path
    reason: str


def home_candidates() -> list[NodeHome]:
    """Every home an operator's node may use, in the order they are looked at: `$CMTHOME`, `$TMHOME`,
    `~/.cometbft`, `~/.tendermint` (CometBFT 0.34 reads `$CMTHOME`, then `$TMHOME`; `cometbft init` makes
    `~/.cometbft`, `tendermint init` made `~/.tendermint`)."""
    found: list[NodeHome] = []
    for var in ("CMTHOME", "TMHOME"):
        value = os.environ.get(var)
        if value:
            found.append(NodeHome(Path(value).expanduser(), f"${var}"))
    for name in (".cometbft", ".tendermint"):
        found.append(NodeHome(Path.home() / name, f"~/{name}"))
    return found


def existing_homes() -> list[NodeHome]:
    """The candidate homes that exist on this machine (a folder with a `config/` inside), without repeats."""
    seen: set[Path] = set()
    out: list[NodeHome] = []
    for home in home_candidates():
        key = home.path.absolute()
        if key in seen or not (home.path / "config").is_dir():
            continue
        seen.add(key)
        out.append(home)
    return out


def choose_home(explicit: str | os.PathLike[str] | None = None) -> NodeHome:
    """`--home`, else `$CMTHOME`, else `$TMHOME`, else an existing `~/.cometbft` or `~/.tendermint`.

    When both default homes exist the choice is the operator's: InputError asks for `--home`. When none
    exists, `~/.cometbft` is where a new node goes (what CometBFT 0.34.35 itself uses).
    """
    if explicit:
        return NodeHome(Path(explicit).expanduser(), "--home")
    for var in ("CMTHOME", "TMHOME"):
        value = os.environ.get(var)
        if value:
            return NodeHome(Path(value).expanduser(), f"${var}")
    defaults = [h for h in home_candidates() if h.reason.startswith("~/") and (h.path / "config").is_dir()]
    if len(defaults) > 1:
        names = " and ".join(h.reason for h in defaults)
        raise InputError("--home", None, f"both {names} exist; say which node home to use with --home DIR")
    if defaults:
        return NodeHome(defaults[0].path, f"{defaults[0].reason} (it exists)")
    return NodeHome(Path.home() / ".cometbft", "~/.cometbft (none exists yet: CometBFT's default)")


def tendermint_home(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The node home's path, chosen as `choose_home` says."""
    return choose_home(explicit).path


def state_dir() -> Path:
    """pmwizard's state (wizard progress, the last apply's journal): `$XDG_STATE_HOME/pmwizard`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "pmwizard"
