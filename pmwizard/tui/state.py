"""What a journey carries from step to step, typed: one dataclass per journey instead of `data["..."]` keys
(a misspelt key was a silent default; `p2p_port` was read with two defaults and never set).

Only these fields are saved as progress (JSON under the XDG state folder), never key material. What is not
worth resuming (the files written this run, the card sent) lives beside them but is not saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

DEFAULT_P2P_PORT = 26656


@dataclass
class JourneyState:
    """Fields every journey has: the step to resume at."""

    step: int = 0

    def progress(self) -> dict[str, Any]:
        """The saved fields: plain values only (str, int), never anything under `_`-named fields."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if not f.name.startswith("_") and isinstance(getattr(self, f.name), str | int)}

    def as_mapping(self) -> StateMapping:
        """`state["hostname"]` / `.get("hostname", "")` over the typed fields, for steps not yet moved to
        `state.hostname` (transitional: a key that is no field raises KeyError instead of being invented)."""
        return StateMapping(self)

    @classmethod
    def from_progress(cls, saved: dict[str, Any]) -> Self:
        """Saved values of the right type win; anything else (an old file, a hand edit) keeps the default."""
        state = cls()
        for f in dataclasses.fields(cls):
            value = saved.get(f.name)
            if f.name.startswith("_") or value is None:
                continue
            if isinstance(value, type(getattr(state, f.name))) and not isinstance(value, bool):
                setattr(state, f.name, value)
        return state


class StateMapping(MutableMapping[str, Any]):
    """A dict-shaped view of a JourneyState: reads and writes go to its fields."""

    def __init__(self, state: JourneyState) -> None:
        self._state = state
        self._names = [f.name for f in dataclasses.fields(state) if not f.name.startswith("_")]

    def __getitem__(self, key: str) -> Any:
        if key not in self._names:
            raise KeyError(key)
        return getattr(self._state, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self._names:
            raise KeyError(f"{key}: not a field of {type(self._state).__name__}; add it there")
        default = getattr(type(self._state)(), key)
        setattr(self._state, key, int(value) if isinstance(default, int) and not isinstance(value, int) else value)

    def __delitem__(self, key: str) -> None:
        self[key] = getattr(type(self._state)(), key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass
class Written:
    """One file this run wrote, for the closing summary."""

    path: Path
    backup: Path | None


@dataclass
class MemberState(JourneyState):
    """Set up my node: the values the operator typed or chose."""

    home: str = ""  # the node home chosen on screen ("" = as the command line / environment chose)
    hostname: str = ""  # a host name, or an IP literal on LAN and test networks
    public_ip: str = ""
    p2p_port: int = DEFAULT_P2P_PORT
    name: str = ""
    card_file: str = ""
    genesis_file: str = ""
    cards_path: str = ""
    moniker: str = ""
    planetmint_bin: str = ""
    tendermint_bin: str = ""
    tarantool_bin: str = ""
    monit_bin: str = ""
    network_rpc: str = ""  # a running network's member RPC to take the genesis from (join)
    cert_file: str = ""
    key_file: str = ""
    _written: list[Written] = field(default_factory=list)
    _card_saved: str = ""
    _fingerprint: str = ""

    def wrote(self, done: list[Any]) -> None:
        """Remember files written (core.plan.Written: path, backup) for the summary."""
        self._written.extend(Written(w.path, w.backup) for w in done)


@dataclass
class CoordinatorState(JourneyState):
    """Form a network: the settings typed; the imported cards stay on the journey (not saved)."""

    cards_path: str = ""
    chain_id: str = ""
    genesis_time: str = ""
    consortium_domain: str = ""
    output_dir: str = ""
