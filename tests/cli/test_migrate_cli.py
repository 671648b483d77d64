"""`pmwizard validators migrate`: the new chain's genesis from Planetmint's own `election show` output (made by
Planetmint's code in its venv, saved to a file as an operator would): --check shows the diff and writes
nothing; --yes copies the data folder and writes the genesis (old one kept); a migration not concluded is
refused with one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
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
    assert "stop Tendermint before --yes" in r.stdout
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


def test_against_the_demo_network_from_proposal_to_new_genesis(tmp_path: Path) -> None:
    """The whole path with Planetmint's CLI run by pmwizard (the demo's stand-in, same arguments and log lines):
    proposed, refused while ongoing, voted by the others, then the new genesis with the demo's set."""
    from pmwizard.core.genesis import layout
    from pmwizard.demo import Sandbox

    with Sandbox(tmp_path / "sandbox") as sb:
        net = sb.network
        assert net is not None
        net.others_vote = False
        home = sb.root / "members" / "m0"
        (home / "config" / "genesis.json").write_text(layout(net.genesis))
        (home / "data").mkdir(exist_ok=True)
        key = home / "config" / "priv_validator_key.json"
        pm = ["--planetmint-bin", str(net.program), "--planetmint-config", str(net.config), "--planetmint-timeout",
              "20"]
        r = subprocess.run([str(net.program), "-c", str(net.config), "election", "new", "chain-migration",
                            "--private-key", str(key)], capture_output=True, text=True, timeout=30, check=False)
        eid = r.stderr.rsplit("id: ", 1)[1].strip()
        before = snapshot(home)
        refused = pmw("validators", "migrate", eid, "--home", str(home), "--yes", *pm)
        assert refused.returncode == 1 and "the election is 'ongoing', not concluded" in refused.stderr
        assert refused.stderr.count("\n") == 1 and snapshot(home) == before
        net.vote_every = 0.1
        net.others_vote = True
        assert wait_until(lambda: bool(net.migrated_to), 20), "the demo members did not conclude the migration"
        status = pmw("validators", "status", eid, "--rpc", net.url, "--api", net.url, "--json")
        assert status.returncode == 0 and json.loads(status.stdout)["status"] == "concluded", status.stderr
        r = pmw("validators", "migrate", eid, "--home", str(home), "--yes", "--json", *pm)
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        report = validate_genesis((home / "config" / "genesis.json").read_bytes(), "new")
        assert report.valid and report.chain_id == net.migrated_to == doc["chain_id"]
        assert {v.pub_key: v.power for v in report.validators} == net.set
        assert [v.name for v in report.validators] == [v["name"] for v in net.genesis["validators"]]
        assert Path(doc["data_backup"]).is_dir() and doc["source"] == f"planetmint election show {eid}"


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
