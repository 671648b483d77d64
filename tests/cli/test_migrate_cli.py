"""`pmwizard validators migrate`: the new chain's genesis from Planetmint's own `election show` output (made by
Planetmint's code in its venv, saved to a file as an operator would): --check shows the diff and writes
nothing; --yes copies the data folder and writes the genesis (old one kept); a migration not concluded is
refused with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmwizard.core.election import b58_to_b64
from pmwizard.core.genesis import validate_genesis
from tests.core.test_migration import old_genesis, planetmint_show

EID = "ab" * 32


def pmw(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ), check=False)


@pytest.fixture(scope="module")
def show() -> tuple[str, list[str]]:
    text, keys = planetmint_show()
    return text, [b58_to_b64(k, "t", "k") for k in keys]


def node_home(tmp_path: Path, show: tuple[str, list[str]], status: str = "concluded") -> tuple[Path, Path]:
    text, keys = show
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "data").mkdir()
    (home / "data" / "blockstore.db").write_bytes(b"old chain")
    (home / "config" / "genesis.json").write_bytes(old_genesis(keys))
    saved = tmp_path / "show.txt"
    saved.write_text(f"[2026-12-02 03:00:00] [INFO] (planetmint.commands.planetmint) "
                     f"{text.replace('status=concluded', f'status={status}')} (MainProcess - pid: 7)\n")
    return home, saved


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_shows_the_diff_and_writes_nothing(tmp_path: Path, show: tuple[str, list[str]]) -> None:
    home, saved = node_home(tmp_path, show)
    before = snapshot(tmp_path)
    r = pmw("validators", "migrate", EID, "--show", str(saved), "--home", str(home), "--check")
    assert r.returncode == 0, r.stderr
    assert "the new chain is test-chain-migrated-at-height-41" in r.stdout
    assert '-{"genesis_time": "2026-01-01T00:00:00Z", "chain_id": "test-chain",' in r.stdout
    assert '+  "chain_id": "test-chain-migrated-at-height-41",' in r.stdout
    assert f"would copy {home / 'data'} to {home / 'data.before-test-chain-migrated-at-height-41.'}" in r.stdout
    assert snapshot(tmp_path) == before


def test_yes_copies_the_data_and_writes_the_genesis(tmp_path: Path, show: tuple[str, list[str]]) -> None:
    home, saved = node_home(tmp_path, show)
    old = (home / "config" / "genesis.json").read_bytes()
    r = pmw("validators", "migrate", EID, "--show", str(saved), "--home", str(home), "--yes", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    new = (home / "config" / "genesis.json").read_bytes()
    report = validate_genesis(new, "new")
    assert report.valid and report.chain_id == "test-chain-migrated-at-height-41"
    assert doc["new_sha256"] == report.sha256 and doc["already_migrated"] is False
    assert [v.pub_key for v in report.validators] == show[1]
    assert report.genesis_time == "2026-01-01T00:00:00Z"  # the old one's: every validator builds the same file
    (written,) = doc["written"]
    assert Path(written["backup"]).read_bytes() == old
    backup = Path(doc["data_backup"])
    assert backup.parent == home and (backup / "blockstore.db").read_bytes() == b"old chain"
    assert (home / "data" / "blockstore.db").read_bytes() == b"old chain"  # the old data is never removed
    after = snapshot(home)
    again = pmw("validators", "migrate", EID, "--show", str(saved), "--home", str(home), "--yes")
    assert again.returncode == 0 and "is already the genesis of test-chain-migrated-at-height-41" in again.stdout
    assert snapshot(home) == after  # a second run copies nothing and writes nothing


@pytest.mark.parametrize(("status", "match"), [("ongoing", "the election is 'ongoing', not concluded"),
                                               ("inconclusive", "'inconclusive', not concluded")])
def test_an_election_not_concluded_is_refused_in_one_line(tmp_path: Path, show: tuple[str, list[str]],
                                                          status: str, match: str) -> None:
    home, saved = node_home(tmp_path, show, status)
    before = snapshot(tmp_path)
    r = pmw("validators", "migrate", EID, "--show", str(saved), "--home", str(home), "--yes")
    assert r.returncode == 1 and match in r.stderr and str(saved) in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and r.stdout == ""
    assert snapshot(tmp_path) == before
