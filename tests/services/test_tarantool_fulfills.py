"""Debian's Tarantool 2.6 refuses a transaction whose inputs[*].fulfills is null under Planetmint's multikey
index (every CREATE and election transaction has one): Planetmint's commit then raises and the node stops.
pmwizard's instance stores an empty map instead. Proven with the real tarantool, Planetmint's real init.lua
and Planetmint's own tarantool client (from its venv): without the shim the insert fails, with it the
transaction is stored, read back with an empty fulfills (which Planetmint reads as none) and its spending
index still works."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pmwizard.render.tarantool import NULL_FULFILLS, TarantoolSetup, find_init_lua, instance_text
from tests.services.procs import running
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary

pytestmark = pytest.mark.servers

CLIENT = """
import json, sys, time, tarantool
for _ in range(100):
    try:
        conn = tarantool.connect("127.0.0.1", int(sys.argv[1])); break
    except Exception:
        time.sleep(0.1)
conn.call("init")
out = {}
for space, op in (("governance", "VALIDATOR_ELECTION"), ("transactions", "CREATE")):
    try:
        conn.replace(space, ("a" * 64, op, "2.0", None, [], [{"owners_before": ["k"], "fulfills": None,
                                                              "fulfillment": "f"}], None))
        out[space] = conn.select(space, "a" * 64)[0][5][0]
    except Exception as exc:
        out[space] = "refused: " + str(exc)
conn.replace("governance", ("b" * 64, "VOTE", "2.0", None, [], [{"owners_before": ["k"], "fulfillment": "f",
             "fulfills": {"transaction_id": "a" * 64, "output_index": 0}}], None))
out["spent_by"] = [t[0] for t in conn.select("governance", ["a" * 64, 0],
                                              index="spending_governance_by_id_and_output_index")]
print(json.dumps(out))
"""


def _store(tmp_path: Path, shim: bool) -> dict:
    tarantool = require_binary("tarantool")
    venv = planetmint_venv()
    init_lua = find_init_lua(planetmint_bin=str(venv / "bin" / "planetmint"))
    folder = tmp_path / ("with" if shim else "without")
    folder.mkdir()
    port = free_port()
    setup = TarantoolSetup(folder, init_lua, port=port, background=False)
    text = instance_text(setup)
    setup.instance.write_text(text if shim else text.replace(NULL_FULFILLS, "\n"))
    with running([tarantool, str(setup.instance)], port, [folder / "logs" / "tarantool.log"], folder):
        r = subprocess.run([str(venv / "bin" / "python3"), "-c", CLIENT, str(port)], capture_output=True,
                           text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


def test_a_null_fulfills_is_stored_as_an_empty_map(tmp_path: Path) -> None:
    version = subprocess.run([require_binary("tarantool"), "--version"], capture_output=True, text=True,
                             check=False).stdout
    got = _store(tmp_path, shim=True)
    for space in ("governance", "transactions"):
        assert got[space] == {"owners_before": ["k"], "fulfills": {}, "fulfillment": "f"}, got
    assert got["spent_by"] == ["b" * 64]
    if version.startswith("Tarantool 2.6"):  # the reason the shim exists, on Debian bookworm's package
        plain = _store(tmp_path, shim=False)
        assert plain["governance"].startswith("refused") and "expected map" in plain["governance"], plain
