"""Monit supervises Tarantool too when the instance file is written with the monitrc: `monit -t` accepts the
file, and a real Monit starts the real Tarantool from pmwizard's instance file before planetmint."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from pmwizard.render.plans import services_plan
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary

pytestmark = pytest.mark.servers


def _standin(path: Path, name: str) -> str:
    path.write_text(f"#!/bin/sh\necho \"{name} $*\" >> {path.parent}/started.txt\nexec sleep 300\n")
    path.chmod(0o755)
    return str(path)


def test_monit_starts_tarantool_before_planetmint(tmp_path: Path) -> None:
    monit = require_binary("monit")
    tarantool = require_binary("tarantool")
    init_lua = next(planetmint_venv().glob("lib/python3*/site-packages/planetmint/backend/tarantool/opt/init.lua"))
    bins = tmp_path / "bin"
    bins.mkdir()
    port = free_port()
    folder = tmp_path / "pm-monit"
    plan = services_plan(tmp_path / "tmhome", None, kinds=("monit", "tarantool"), folder=folder,
                         planetmint_bin=_standin(bins / "planetmint", "planetmint"),
                         tendermint_bin=_standin(bins / "tendermint", "tendermint"), tarantool_bin=tarantool,
                         init_lua=str(init_lua), tarantool_port=port, monit_http_port=free_port())
    plan.apply()
    rc = folder / "monitrc"
    text = rc.read_text()
    assert "check process tarantool with pidfile" in text and "depends on tarantool" in text
    checked = subprocess.run([monit, "-t", "-c", str(rc)], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    proc = subprocess.Popen([monit, "-I", "-d", "1", "-c", str(rc)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        started = bins / "started.txt"
        answered = b""
        while time.monotonic() < deadline:
            if not answered:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
                    answered = s.recv(64)
            if answered and started.exists() and "planetmint start" in started.read_text():
                break
            assert proc.poll() is None, (folder / "monit.log").read_text()
            time.sleep(0.2)
        assert answered.startswith(b"Tarantool"), (folder / "monit.log").read_text()
        assert "planetmint start" in started.read_text()
        os.kill(int((folder / "tarantool.pid").read_text()), 0)  # the pid Monit watches is alive
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        for pidfile in folder.glob("*.pid"):
            with contextlib.suppress(ValueError, ProcessLookupError, OSError):
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
