"""Suite-wide: pmwizard's state (apply journal, lock, wizard progress) goes to a per-test folder, never the
real ~/.local/state; TMHOME and CMTHOME are cleared so no test can touch a real node home by accident."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Under CI the property tests draw the same examples every run (a fixed seed), so a run's verdict depends
# on the change, not on luck; at a desk every run explores new examples (see tests/support/examples.py).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path_factory.mktemp("xdg-state")
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("TMHOME", raising=False)
    monkeypatch.delenv("CMTHOME", raising=False)
    return state
