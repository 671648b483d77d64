"""Issue 12 item 2 and issue 13 item 4: `undo` reads nothing it has not verified, and tells the truth after a
partial failure; exit codes tell "failed / invalid" (1) from "could not check / could not write" (3).
Real files, real links, a real full tmpfs, a real silent DNS server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmwizard.core.plan import Plan
from tests.support.faults import silent_udp
from tests.support.require import missing

SECRET = "c2VjcmV0LXZhbGlkYXRvci1rZXktbWF0ZXJpYWwtZG8tbm90LWxlYWs="  # stands for a priv_key value


def pmw(state: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "XDG_STATE_HOME": str(state)}, check=False)


@pytest.fixture
def applied(tmp_path: Path, _isolated_state: Path) -> dict:
    """config.toml replaced once by an apply: the file, its backup, the state folder, and a 'key' file."""
    target = tmp_path / "node" / "config.toml"
    target.parent.mkdir()
    target.write_text('moniker = "old"\n')
    plan = Plan()
    plan.add(target, 'moniker = "new"\n')
    [written] = plan.apply()
    assert written.backup is not None
    key = tmp_path / "node" / "priv_validator_key.json"
    key.write_text(json.dumps({"priv_key": {"value": SECRET}}))
    key.chmod(0o600)
    return {"target": target, "backup": written.backup, "state": _isolated_state, "key": key}


def _no_secret(*texts: str) -> None:
    for t in texts:
        assert SECRET not in t


def test_undo_restores_a_verified_backup(applied: dict) -> None:
    r = pmw(applied["state"], "undo", "--yes")
    assert r.returncode == 0, r.stderr
    assert applied["target"].read_text() == 'moniker = "old"\n'


def test_a_backup_swapped_for_a_link_to_a_key_is_never_read(applied: dict) -> None:
    backup: Path = applied["backup"]
    backup.unlink()
    backup.symlink_to(applied["key"])
    check = pmw(applied["state"], "undo", "--check")
    _no_secret(check.stdout, check.stderr)
    assert check.returncode == 1 and "symbolic link" in check.stderr and str(backup) in check.stderr
    yes = pmw(applied["state"], "undo", "--yes")
    _no_secret(yes.stdout, yes.stderr, applied["target"].read_text())
    assert yes.returncode == 1
    assert applied["target"].read_text() == 'moniker = "new"\n'
    assert not [p for p in applied["target"].parent.iterdir() if SECRET in p.read_text() and p != applied["key"]
                and not p.is_symlink()]


def test_a_backup_with_other_bytes_is_refused(applied: dict) -> None:
    applied["backup"].write_text(f'moniker = "{SECRET}"\n')
    r = pmw(applied["state"], "undo", "--check")
    _no_secret(r.stdout, r.stderr)
    assert r.returncode == 1 and "SHA-256 differs" in r.stderr


def test_a_backup_that_is_a_fifo_is_refused_without_waiting(applied: dict) -> None:
    applied["backup"].unlink()
    os.mkfifo(applied["backup"])
    r = pmw(applied["state"], "undo", "--check")
    assert r.returncode == 1 and "FIFO" in r.stderr


def test_a_backup_owned_by_someone_else_is_refused(applied: dict) -> None:
    if os.geteuid() != 0:
        missing("root", "chown needs root (CI runs the tests as root)")
    os.chown(applied["backup"], 4321, 4321)
    r = pmw(applied["state"], "undo", "--check")
    assert r.returncode == 1 and "owned by uid 4321" in r.stderr


def test_a_journal_pointing_elsewhere_or_linked_is_refused(applied: dict) -> None:
    journal = applied["state"] / "pmwizard" / "last-apply.json"
    doc = json.loads(journal.read_text())
    doc["written"][0]["backup"] = str(applied["key"])  # a forged journal: "restore" the key into config.toml
    journal.write_text(json.dumps(doc))
    r = pmw(applied["state"], "undo", "--yes")
    _no_secret(r.stdout, r.stderr, applied["target"].read_text())
    assert r.returncode == 1 and "not beside it" in r.stderr
    real = journal.with_name("elsewhere.json")
    journal.rename(real)
    journal.symlink_to(real)
    r = pmw(applied["state"], "undo", "--check")
    assert r.returncode == 1 and "symbolic link" in r.stderr and "Traceback" not in r.stderr


def test_undo_after_a_write_that_failed_part_way(tmp_path: Path, small_tmpfs: Path, _isolated_state: Path) -> None:
    """The first file is replaced, the second hits a full disk: undo knows about the first and puts it back."""
    first, second = tmp_path / "genesis.json", small_tmpfs / "config.toml"
    first.write_text("old genesis\n")
    second.write_text("old config\n")
    plan = Plan()
    plan.add(first, "new genesis\n")
    plan.add(second, "x" * (256 * 1024))
    with pytest.raises(OSError):
        plan.apply()
    assert first.read_text() == "new genesis\n" and second.read_text() == "old config\n"
    r = pmw(_isolated_state, "undo", "--yes")
    assert r.returncode == 0, r.stderr
    assert "stopped part way" in r.stderr
    assert first.read_text() == "old genesis\n" and second.read_text() == "old config\n"


def test_could_not_check_is_exit_3_and_a_failure_is_exit_1(tmp_path: Path) -> None:
    with silent_udp() as port:
        r = pmw(tmp_path, "check", "dns", "node.example.test", "--nameserver", f"127.0.0.1:{port}",
                "--timeout", "0.5", "--json")
    doc = json.loads(r.stdout)
    assert doc["summary"]["error"] >= 1 and doc["summary"]["fail"] == 0
    assert r.returncode == 3
    bad = pmw(tmp_path, "genesis", "validate", str(tmp_path / "absent.json"))
    assert bad.returncode == 1
    helptext = pmw(tmp_path, "--help").stdout
    assert "exit codes:" in helptext and "3  could not check or could not write" in helptext
