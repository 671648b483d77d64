"""Where pmwizard looks, with HOME pointed at a temporary folder: the node home CometBFT 0.34 would use (and
saying why), `$PLANETMINT_CONFIG_PATH` for Planetmint's config, and `cometbft` or `tendermint` for Monit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmwizard.errors import InputError
from pmwizard.render.plans import services_plan
from tests.support.incli import run_cli


@pytest.fixture()
def pmw(monkeypatch: pytest.MonkeyPatch):
    """`pmwizard ARGV` with HOME (and any extra environment) set for that call; text out and err."""
    monkeypatch.delenv("PLANETMINT_CONFIG_PATH", raising=False)

    def run(*argv: str, home: Path, extra: dict[str, str] | None = None):
        with monkeypatch.context() as m:
            m.setenv("HOME", str(home))
            for k, v in (extra or {}).items():
                m.setenv(k, v)
            r = run_cli(argv)
        return type("R", (), {"returncode": r.returncode, "stdout": r.stdout.decode(), "stderr": r.stderr.decode()})
    return run


def test_an_existing_cometbft_home_is_used_and_named(tmp_path: Path, pmw) -> None:
    assert pmw("identity", "init", "--home", str(tmp_path / ".cometbft"), home=tmp_path).returncode == 0
    shown = pmw("identity", "show", "--json", home=tmp_path)
    assert shown.returncode == 0, shown.stderr
    doc = json.loads(shown.stdout)
    assert doc["home"] == str(tmp_path / ".cometbft") and doc["home_reason"] == "~/.cometbft (it exists)"
    text = pmw("identity", "show", home=tmp_path).stdout
    assert text.splitlines()[0] == f"home          {tmp_path / '.cometbft'}  (~/.cometbft (it exists))"
    # a fresh HOME: init says where the new node goes and why
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    made = pmw("identity", "init", home=fresh)
    assert made.returncode == 0 and f"node home {fresh / '.cometbft'} (~/.cometbft (none exists yet" in made.stderr
    assert (fresh / ".cometbft" / "config" / "node_key.json").exists()


def test_both_default_homes_ask_for_home_in_one_line(tmp_path: Path, pmw) -> None:
    for name in (".cometbft", ".tendermint"):
        assert pmw("identity", "init", "--home", str(tmp_path / name), home=tmp_path).returncode == 0
    r = pmw("identity", "show", home=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.splitlines() == [("pmwizard: --home: both ~/.cometbft and ~/.tendermint exist; say which node "
                                      "home to use with --home DIR")]
    chosen = pmw("identity", "show", "--json", home=tmp_path, extra={"TMHOME": str(tmp_path / ".tendermint")})
    assert json.loads(chosen.stdout)["home_reason"] == "$TMHOME"


def test_planetmint_config_path_is_honoured(tmp_path: Path, pmw) -> None:
    target = tmp_path / "etc" / "planetmint.json"
    env = {"PLANETMINT_CONFIG_PATH": str(target)}
    preview = pmw("services", "planetmint", "--hostname", "node.example.org", "--check", home=tmp_path, extra=env)
    assert preview.returncode == 0 and f"+++ b{target}" in preview.stdout, preview.stdout + preview.stderr
    wrote = pmw("services", "planetmint", "--hostname", "node.example.org", "--yes", home=tmp_path, extra=env)
    assert wrote.returncode == 0, wrote.stderr
    assert json.loads(target.read_text())["wsserver"]["advertised_host"] == "node.example.org"
    assert not (tmp_path / ".planetmint").exists()


def _program(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("present", [("cometbft", "tendermint"), ("cometbft",), ("tendermint",)])
def test_monit_finds_cometbft_or_tendermint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            present: tuple[str, ...]) -> None:
    bins = tmp_path / "bin"
    bins.mkdir()
    _program(bins, "planetmint")
    for name in present:
        _program(bins, name)
    monkeypatch.setenv("PATH", str(bins))
    plan = services_plan(tmp_path / "node", None, kinds=("monit",), folder=tmp_path / "monit")
    script = next(c.new.decode() for c in plan.changes if c.path.name == "monit_script")
    assert f"TENDERMINT={bins / present[0]}\n" in script


def test_monit_without_either_program_names_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _program(tmp_path, "planetmint")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match=r"neither `cometbft` nor `tendermint` is on PATH.*--tendermint-bin"):
        services_plan(tmp_path / "node", None, kinds=("monit",), folder=tmp_path / "monit")


def test_the_wizard_with_both_homes_opens_and_asks(tmp_path: Path, pmw) -> None:
    """In a real terminal (a pty): the CLI refuses to guess between two homes, the wizard opens and lets the
    operator pick on screen (tests/tui covers the picking); no traceback, and Ctrl+Q leaves cleanly."""
    import os
    import select
    import subprocess
    import sys
    import time

    for name in (".cometbft", ".tendermint"):
        assert pmw("identity", "init", "--home", str(tmp_path / name), home=tmp_path).returncode == 0
    parent, child = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CMTHOME", "TMHOME")}
    proc = subprocess.Popen([sys.executable, "-m", "pmwizard"], stdin=child, stdout=child, stderr=child,
                            env={**env, "HOME": str(tmp_path), "TERM": "xterm", "COLUMNS": "80", "LINES": "24"})
    os.close(child)
    out = b""

    def read_for(seconds: float) -> None:
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([parent], [], [], 0.2)
            if ready:
                try:
                    out += os.read(parent, 65536)
                except OSError:  # EIO: the child side is closed
                    return

    try:
        deadline = time.monotonic() + 60
        while b"journey" not in out and proc.poll() is None and time.monotonic() < deadline:
            read_for(0.5)
        assert b"journey" in out, out[-2000:]
        os.write(parent, b"\x11")  # Ctrl+Q
        assert proc.wait(timeout=30) == 0
        read_for(0.5)
    finally:
        proc.kill()
        os.close(parent)
    assert b"Traceback" not in out
    r = pmw("identity", "show", home=tmp_path)
    assert r.returncode == 1 and "both ~/.cometbft and ~/.tendermint exist" in r.stderr + r.stdout
