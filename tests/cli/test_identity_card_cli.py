"""`pmwizard identity`, `card`, `undo` as scripts use them: exit codes, --json shapes, errors naming the file
and field, no traceback, and a second `identity init` that changes no byte."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def pmw(*argv: str, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ)
    if env_home:
        env["TMHOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=60,
                          env=env, check=False)


@pytest.fixture()
def home(tmp_path: Path) -> Path:
    h = tmp_path / "node"
    r = pmw("identity", "init", "--home", str(h))
    assert r.returncode == 0, r.stderr
    return h


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_identity_init_twice_changes_nothing_and_show_json(home: Path) -> None:
    before = tree(home)
    r = pmw("identity", "init", "--home", str(home))
    assert r.returncode == 0 and "never overwritten" in r.stdout
    assert tree(home) == before
    r = pmw("identity", "show", "--json", "--home", str(home))
    doc = json.loads(r.stdout)
    assert set(doc) >= {"home", "address", "pub_key", "node_id", "files"}
    assert doc["pub_key"]["type"] == "tendermint/PubKeyEd25519" and doc["address"] == doc["address"].upper()
    assert doc["node_id"] == doc["node_id"].lower() and len(doc["node_id"]) == 40


def test_home_from_tmhome(home: Path) -> None:
    r = pmw("identity", "show", "--json", env_home=home)
    assert json.loads(r.stdout)["home"] == str(home)


def test_missing_home_is_a_clear_error(tmp_path: Path) -> None:
    r = pmw("identity", "show", "--home", str(tmp_path / "none"))
    assert r.returncode == 1 and r.stdout == ""
    assert "priv_validator_key.json" in r.stderr and "identity init" in r.stderr and "Traceback" not in r.stderr


def test_card_export_verify_and_tamper(home: Path, tmp_path: Path) -> None:
    card = tmp_path / "alice.json"
    r = pmw("card", "export", "--hostname", "node.alice.example", "--name", "Alice", "--home", str(home),
            "-o", str(card))
    assert r.returncode == 0, r.stderr
    r = pmw("card", "verify", str(card), "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["cards"][0]["valid"] and doc["cards"][0]["signed"]
    assert set(doc["cards"][0]) == {"file", "valid", "signed", "errors", "warnings", "card"}
    body = json.loads(card.read_text())
    body["hostname"] = "evil.example"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(body))
    r = pmw("card", "verify", str(card), str(bad))
    assert r.returncode == 1 and f"{bad}: signatures.validator" in r.stdout


def test_card_export_to_stdout_and_bad_hostname(home: Path) -> None:
    r = pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", "26700", "--home", str(home))
    assert r.returncode == 0 and json.loads(r.stdout)["p2p_port"] == 26700
    r = pmw("card", "export", "--hostname", "no such host", "--home", str(home))
    assert r.returncode == 1 and "--hostname: hostname" in r.stderr and r.stdout == ""


def test_usage_errors_exit_2() -> None:
    assert pmw("card", "export").returncode == 2
    assert pmw("identity").returncode == 2
    assert pmw("undo").returncode == 2


def test_undo_restores_the_last_apply(tmp_path: Path) -> None:
    from pmwizard.cli import main
    from pmwizard.core.plan import Plan

    target = tmp_path / "config.toml"
    target.write_text("old\n")
    plan = Plan()
    plan.add(target, "new\n")
    plan.add(tmp_path / "fresh.txt", "created\n")
    plan.apply()
    assert main(["undo", "--check"]) == 0 and target.read_text() == "new\n"
    assert main(["undo", "--yes"]) == 0
    assert target.read_text() == "old\n" and (tmp_path / "fresh.txt").exists(), "created files are listed, kept"


def test_undo_refuses_a_file_edited_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pmwizard.cli import main
    from pmwizard.core.plan import Plan

    target = tmp_path / "config.toml"
    target.write_text("old\n")
    plan = Plan()
    plan.add(target, "new\n")
    plan.apply()
    target.write_text("edited by hand\n")
    assert main(["undo", "--yes"]) == 1
    assert target.read_text() == "edited by hand\n" and "changed since pmwizard wrote it" in capsys.readouterr().err


def test_undo_never_touches_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pmwizard.cli import main

    h = tmp_path / "h"
    assert main(["identity", "init", "--home", str(h)]) == 0
    before = tree(h)
    assert main(["undo", "--yes"]) == 1
    assert tree(h) == before and "never removes or replaces keys" in capsys.readouterr().err
