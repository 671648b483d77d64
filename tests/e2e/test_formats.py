"""pmwizard and the real Tendermint agree on every format, both ways: keys made by `tendermint init` read by
pmwizard, keys made by pmwizard read by Tendermint, and `tendermint node` starting on a config.toml edited by
pmwizard (the full default one, and the minimal one pmwizard writes when there is none)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.require import tendermint_binary
from tests.support.tmnet import Node, tendermint_nodes

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).parents[1] / "fixtures/tendermint"


def run(*argv: str) -> str:
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=120, env=dict(os.environ), check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"
    return r.stdout


def pmw(*argv: str) -> str:
    return run(sys.executable, "-m", "pmwizard", *argv)


def tendermint_says(home: Path) -> tuple[str, dict]:
    tm = tendermint_binary()
    return run(tm, "show-node-id", "--home", str(home)).strip(), json.loads(run(tm, "show-validator", "--home",
                                                                                 str(home)))


def test_pmwizard_reads_what_tendermint_init_made(tmp_path: Path) -> None:
    home = tmp_path / "tm"
    run(tendermint_binary(), "init", "--home", str(home))
    node_id, validator = tendermint_says(home)
    mine = json.loads(pmw("identity", "show", "--json", "--home", str(home)))
    assert mine["node_id"] == node_id and mine["pub_key"] == validator
    key = json.loads((home / "config/priv_validator_key.json").read_text())
    assert mine["address"] == key["address"]


def test_tendermint_reads_what_pmwizard_made(tmp_path: Path) -> None:
    home = tmp_path / "pm"
    pmw("identity", "init", "--home", str(home))
    mine = json.loads(pmw("identity", "show", "--json", "--home", str(home)))
    node_id, validator = tendermint_says(home)
    assert node_id == mine["node_id"] and validator == mine["pub_key"]


@pytest.mark.parametrize("config", ["default", "minimal"])
def test_tendermint_node_starts_on_a_config_pmwizard_edited(tmp_path: Path, config: str) -> None:
    home = tmp_path / "home"
    pmw("identity", "init", "--home", str(home))
    if config == "default":
        (home / "config/config.toml").write_bytes((FIXTURES / "default-config-v0.34.24.toml").read_bytes())
    card = tmp_path / "card.json"
    pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(free_port()), "--home", str(home),
        "-o", str(card))
    genesis = tmp_path / "genesis.json"
    pmw("genesis", "new", str(card), "-o", str(genesis))
    rpc = free_port()
    pmw("configure", "--genesis", str(genesis), "--peers", str(card), "--moniker", "edited by pmwizard",
        "--log-level", "consensus:debug,*:error", "--rpc-laddr", f"tcp://127.0.0.1:{rpc}", "--home", str(home),
        "--yes")
    if config == "minimal":
        assert (home / "config/config.toml").read_text().startswith("# config.toml written by pmwizard")
    node = Node(home, rpc, tmp_path / "node.log")
    with tendermint_nodes([node]) as (n,):
        status = n.status()
        assert status["node_info"]["moniker"] == "edited by pmwizard"
        assert status["node_info"]["network"] == json.loads(genesis.read_text())["chain_id"]
        assert status["node_info"]["id"] == json.loads(card.read_text())["node_id"]
