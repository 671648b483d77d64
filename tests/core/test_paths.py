"""Which node home pmwizard uses: --home, $CMTHOME, $TMHOME, then an existing ~/.cometbft or ~/.tendermint."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmwizard.core.paths import choose_home, existing_homes
from pmwizard.errors import InputError


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


def make(home: Path) -> Path:
    (home / "config").mkdir(parents=True)
    return home


def test_explicit_home_wins(fake_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CMTHOME", str(fake_home / "cmt"))
    chosen = choose_home(fake_home / "given")
    assert chosen.path == fake_home / "given" and chosen.reason == "--home"


def test_cmthome_before_tmhome(fake_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMHOME", str(fake_home / "tm"))
    assert choose_home().reason == "$TMHOME"
    monkeypatch.setenv("CMTHOME", str(fake_home / "cmt"))
    assert choose_home().path == fake_home / "cmt"


def test_existing_cometbft_home_is_found(fake_home: Path) -> None:
    make(fake_home / ".cometbft")
    chosen = choose_home()
    assert chosen.path == fake_home / ".cometbft"
    assert "exists" in chosen.reason


def test_existing_tendermint_home_is_found(fake_home: Path) -> None:
    make(fake_home / ".tendermint")
    assert choose_home().path == fake_home / ".tendermint"


def test_both_defaults_ask_for_home(fake_home: Path) -> None:
    make(fake_home / ".cometbft")
    make(fake_home / ".tendermint")
    with pytest.raises(InputError, match=r"both ~/.cometbft and ~/.tendermint exist.*--home"):
        choose_home()
    assert [h.reason for h in existing_homes()] == ["~/.cometbft", "~/.tendermint"]


def test_no_home_yet_defaults_to_cometbft(fake_home: Path) -> None:
    chosen = choose_home()
    assert chosen.path == fake_home / ".cometbft" and "none exists" in chosen.reason
