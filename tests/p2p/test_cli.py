"""`pmwizard check p2p` as a script uses it: HOST[:PORT] with --node-id, a peers entry, cards, the peers line
of a config.toml; exit codes (0 ok, 1 a failure or bad input naming the file and field, 2 usage). The peers
are the demo's nodes: pmwizard's own handshake on loopback with real node keys."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmwizard.core import keys
from pmwizard.demo.p2p import DemoNode, DemoPeers
from tests.support.faults import refused_port, silent_tcp


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, int]]]:
    nodes = []
    for i in range(2):
        home = tmp_path_factory.mktemp(f"peer{i}")
        keys.init_plan(home).apply()
        nodes.append(DemoNode(home, f"peer-{i}"))
    running = DemoPeers(nodes, chain_id="cli-chain").start()
    try:
        yield [(keys.load_identity(n.home).node_id, n.port) for n in nodes]
    finally:
        running.stop()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmwizard", "check", "p2p", *args], capture_output=True,
                          text=True, check=False, timeout=60)


def findings(r: subprocess.CompletedProcess) -> list[dict]:
    return json.loads(r.stdout)["findings"]


def test_host_port_with_the_right_and_a_wrong_node_id(peers) -> None:
    (id0, port0), (id1, _) = peers
    r = run(f"127.0.0.1:{port0}", "--node-id", id0.upper(), "--chain-id", "cli-chain", "--json")
    assert r.returncode == 0 and [f["code"] for f in findings(r)] == ["ok"]
    assert findings(r)[0]["evidence"]["moniker"] == "peer-0"
    r = run(f"127.0.0.1:{port0}", "--node-id", id1)
    assert r.returncode == 1 and "node_id_mismatch" in r.stdout and id0 in r.stdout and id1 in r.stdout


def test_peers_entries_and_another_chain(peers) -> None:
    entries = [f"{i}@127.0.0.1:{p}" for i, p in peers]
    r = run(*entries, "--chain-id", "cli-chain", "--json")
    assert r.returncode == 0 and [f["code"] for f in findings(r)] == ["ok", "ok"]
    r = run(*entries, "--chain-id", "other-chain", "--json")
    assert r.returncode == 1 and [f["code"] for f in findings(r)] == ["chain_id_mismatch"] * 2


def test_a_config_whose_peers_line_has_a_dead_and_a_silent_entry(peers, tmp_path: Path) -> None:
    (id0, port0), (id1, _) = peers
    with refused_port() as dead, silent_tcp() as silent:
        config = tmp_path / "config.toml"
        line = f"{id0}@127.0.0.1:{port0},{id1}@127.0.0.1:{dead},{id1}@127.0.0.1:{silent}"
        config.write_text(f'moniker = "x"\n\n[p2p]\npersistent_peers = "{line}"\n')
        r = run("--config", str(config), "--timeout", "1", "--json")
    assert r.returncode == 1
    assert [f["code"] for f in findings(r)] == ["ok", "refused", "timeout"]


def test_bad_input_names_the_file_and_field_and_usage_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[p2p]\npersistent_peers = "nothex@127.0.0.1:26656"\n')
    r = run("--config", str(config))
    assert r.returncode == 1 and f"{config}: p2p.persistent_peers: nothex@127.0.0.1:26656" in r.stderr
    r = run("ab@host:1")
    assert r.returncode == 1 and "TARGET: ab@host:1" in r.stderr and "invalid hex length" in r.stderr
    r = run("host:0")
    assert r.returncode == 1 and "not a port" in r.stderr
    config.write_text('moniker = "x"\n')
    r = run("--config", str(config))
    assert r.returncode == 1 and f"{config}: p2p.persistent_peers: is empty" in r.stderr
    assert run().returncode == 2
    assert run("a:1", "b:2", "--node-id", "ab").returncode == 2
