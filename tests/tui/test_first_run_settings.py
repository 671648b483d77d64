"""The member journey on a LAN or test network (issue 11.1/11.4): an IP as the node's address gets service
files too (no NGINX site, Planetmint's streams advertised on its own port), the wizard's service ports are
settable on the command line, and Planetmint's config names the RPC port of the home's config.toml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pmwizard.core import keys
from pmwizard.render.planetmint_config import PlanetmintSettings, merged_config
from pmwizard.tui.state import MemberState
from pmwizard.tui.steps.member_configure import member_plan
from tests.support.require import tendermint_binary


def test_an_ip_is_advertised_on_planetmints_own_ws_port() -> None:
    doc = merged_config(None, PlanetmintSettings(hostname="192.0.2.7", ws_port=19985))
    assert doc["wsserver"]["advertised_host"] == "192.0.2.7"
    assert (doc["wsserver"]["advertised_scheme"], doc["wsserver"]["advertised_port"]) == ("ws", 19985)
    named = merged_config(None, PlanetmintSettings(hostname="node.example.org", ws_port=19985))["wsserver"]
    assert (named["advertised_scheme"], named["advertised_port"]) == ("wss", 443)


def test_member_plan_for_an_ip_uses_the_given_ports_and_the_homes_rpc(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    keys.init_plan(home).apply()
    subprocess.run([tendermint_binary(), "init", "--home", str(home)], check=True, capture_output=True, timeout=60)
    cfg = home / "config" / "config.toml"
    cfg.write_text(cfg.read_text().replace('laddr = "tcp://127.0.0.1:26657"', 'laddr = "tcp://127.0.0.1:41234"'))
    tool = tmp_path / "bin"
    tool.mkdir()
    for name in ("planetmint", "tarantool"):
        (tool / name).write_text("#!/bin/sh\n")
        (tool / name).chmod(0o755)
    state = MemberState(hostname="127.0.0.1", genesis_file=str(home / "config" / "genesis.json"),
                        planetmint_bin=str(tool / "planetmint"), tendermint_bin=tendermint_binary(),
                        tarantool_bin=str(tool / "tarantool"))
    init_lua = tmp_path / "init.lua"
    init_lua.write_text("-- planetmint schema\n")
    import pmwizard.render.tarantool as tarantool

    # Planetmint's init.lua is found from the planetmint program's venv; these stand-ins have none
    monkeypatch.setattr(tarantool, "find_init_lua", lambda given=None, planetmint_bin=None: init_lua)
    plan = member_plan(state, home, True, services_folder=tmp_path / "svc", nginx_site=tmp_path / "site",
                       planetmint_config=tmp_path / "planetmint.json",
                       ports={"monit": 40001, "tarantool": 40002, "api": 40003, "ws": 40004})
    texts = {c.path.name: c.new.decode() for c in plan.pending}
    assert "site" not in texts, "an IP has no NGINX site"
    assert "set httpd port 40001 and" in texts["monitrc"]
    assert "40002" in texts["tarantool-instance.lua"]
    doc = json.loads(texts["planetmint.json"])
    assert doc["server"]["bind"] == "localhost:40003" and doc["wsserver"]["port"] == 40004
    assert doc["tendermint"]["port"] == 41234


def test_wizard_port_options_are_checked() -> None:
    r = subprocess.run([sys.executable, "-m", "pmwizard", "--monit-port", "70000"], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 2 and "--monit-port: '70000' is not a port" in r.stderr, r.stderr
