"""The generated monitrc and helper script: accepted by `monit -t`, and a real Monit run starts both
programs (planetmint first, tendermint after it) through the helper script."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from pmwizard.errors import InputError
from pmwizard.render.plans import services_plan
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary, tendermint_binary


def monit_plan(tmp_path: Path, planetmint: str, tendermint: str, http_port: int = 2812):
    return services_plan(tmp_path / "tmhome", None, kinds=("monit",), folder=tmp_path / "pm-monit",
                         planetmint_bin=planetmint, tendermint_bin=tendermint, monit_http_port=http_port)


def test_monit_accepts_the_monitrc(tmp_path: Path) -> None:
    monit = require_binary("monit")
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    plan = monit_plan(tmp_path, planetmint, tendermint_binary())
    plan.apply()
    rc = tmp_path / "pm-monit" / "monitrc"
    assert stat.S_IMODE(rc.stat().st_mode) == 0o700
    assert stat.S_IMODE(rc.parent.stat().st_mode) == 0o700
    text = rc.read_text()
    assert "check process planetmint with pidfile" in text and "depends on planetmint" in text
    assert "use address 127.0.0.1" in text and "allow 127.0.0.1" in text
    assert "monit -c" in text and "-d 1" in text
    script = (tmp_path / "pm-monit" / "monit_script").read_text()
    assert f"PLANETMINT={planetmint}" in script and f"TENDERMINT={tendermint_binary()}" in script
    checked = subprocess.run([monit, "-t", "-c", str(rc)], check=False, capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Control file syntax OK" in checked.stdout + checked.stderr


def test_missing_programs_are_refused_with_the_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="--planetmint-bin"):
        monit_plan(tmp_path, "", "")
    with pytest.raises(InputError, match="not an executable"):
        monit_plan(tmp_path, str(tmp_path / "nope"), "")


def _standin(path: Path, name: str) -> str:
    """An executable that records its arguments and stays up, like the daemon it replaces."""
    path.write_text(f"#!/bin/sh\necho \"{name} $*\" >> {path.parent}/started.txt\nexec sleep 300\n")
    path.chmod(0o755)
    return str(path)


def test_monit_starts_planetmint_then_tendermint(tmp_path: Path) -> None:
    monit = require_binary("monit")
    bins = tmp_path / "bin"
    bins.mkdir()
    plan = monit_plan(tmp_path, _standin(bins / "planetmint", "planetmint"),
                      _standin(bins / "tendermint", "tendermint"), http_port=free_port())
    plan.apply()
    folder = tmp_path / "pm-monit"
    rc = folder / "monitrc"
    proc = subprocess.Popen([monit, "-I", "-d", "1", "-c", str(rc)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 30
        started = bins / "started.txt"
        while time.monotonic() < deadline:
            if started.exists() and len(started.read_text().splitlines()) >= 2:
                break
            assert proc.poll() is None, (folder / "monit.log").read_text()
            time.sleep(0.1)
        lines = started.read_text().splitlines() if started.exists() else []
        assert lines == ["planetmint start", f"tendermint node --home {tmp_path / 'tmhome'}"], (
            lines, (folder / "monit.log").read_text())
        for name in ("planetmint", "tendermint"):
            pid = int((folder / f"{name}.pid").read_text())
            pids.append(pid)
            os.kill(pid, 0)  # alive
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        for pidfile in folder.glob("*.pid"):
            with contextlib.suppress(ValueError, ProcessLookupError):
                pids.append(int(pidfile.read_text()))
        for pid in set(pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
