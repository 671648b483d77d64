"""The generated Tarantool instance, run by the real tarantool with Planetmint's real init.lua."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pmwizard.errors import InputError
from pmwizard.render.tarantool import TarantoolSetup, find_init_lua, instance_text
from tests.services.procs import running
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary


def test_init_lua_found_from_the_planetmint_executable() -> None:
    venv = planetmint_venv()
    found = find_init_lua(planetmint_bin=str(venv / "bin" / "planetmint"))
    assert found.parts[-4:] == ("backend", "tarantool", "opt", "init.lua")
    assert str(found).startswith(str(venv)) and "box.cfg{listen = 3303}" in found.read_text()


def test_missing_init_lua_is_refused_with_the_option(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--init-lua"):
        find_init_lua(str(tmp_path / "nope.lua"))


def test_default_port_is_3303(tmp_path: Path) -> None:
    text = instance_text(TarantoolSetup(tmp_path, tmp_path / "init.lua"))
    assert '"127.0.0.1:3303"' in text and "background = true" in text


def test_tarantool_runs_planetmints_init_lua_on_the_port(tmp_path: Path) -> None:
    tarantool = require_binary("tarantool")
    init_lua = find_init_lua(planetmint_bin=str(planetmint_venv() / "bin" / "planetmint"))
    folder = tmp_path / "monit folder 'x'"  # blanks and quotes survive Lua quoting
    port = free_port()
    setup = TarantoolSetup(folder, init_lua, port=port, background=False)
    folder.mkdir()
    setup.instance.write_text(instance_text(setup))
    log = folder / "logs" / "tarantool.log"
    with running([tarantool, str(setup.instance)], port, [log], tmp_path):
        import socket

        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            greeting = b""
            while len(greeting) < 128:
                chunk = sock.recv(128 - len(greeting))
                assert chunk, greeting
                greeting += chunk
        assert greeting.startswith(b"Tarantool "), greeting
        assert (folder / "tarantool.pid").read_text().strip().isdigit()
        marker = f"Planetmint init.lua loaded from {init_lua} (init: function)"
        deadline = time.monotonic() + 15  # the greeting comes from the first box.cfg, before init.lua runs
        while marker not in (text := log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        # Planetmint's init.lua ran (it defines init()) and its own box.cfg{listen = 3303} did not win.
        assert marker in text, text
        listens = [line for line in text.splitlines() if "set 'listen'" in line or "bound to" in line]
        assert listens and all(f"127.0.0.1:{port}" in line for line in listens), listens
