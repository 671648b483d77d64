"""Suite-wide: pmwizard's state (apply journal, lock, wizard progress) goes to a per-test folder, never the
real ~/.local/state; TMHOME is cleared so no test can touch a real ~/.tendermint by accident."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("xdg-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("TMHOME", raising=False)
    return state
