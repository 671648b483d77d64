"""The whole journey on loopback with the real Tendermint 0.34: four homes made by `pmwizard identity init`,
cards exported with distinct ports, `genesis new` by the coordinator, `configure --yes` on every member, four
`tendermint node` processes. Every node must see 3 peers, a transaction sent to one must be committed and
seen by all; then `pmwizard doctor` must find every node's node_id and chain_id matching, and a node restarted
on another chain must be reported as rpc.status / chain_id_mismatch."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.support.ports import free_port
from tests.support.tmnet import Node, start, stop, tendermint_nodes, wait_until

pytestmark = pytest.mark.e2e
N = 4


def pmw(*argv: str) -> str:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ), check=False)
    assert r.returncode in (0, 1, 3), r.stderr  # 3: something could not be checked
    return r.stdout


def pmw_ok(*argv: str) -> str:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ), check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("e2e")
    p2p = [free_port() for _ in range(N)]
    rpc = [free_port() for _ in range(N)]
    nodes, cards = [], []
    for i in range(N):
        home = base / f"node{i}"
        pmw_ok("identity", "init", "--home", str(home))
        card = base / f"card{i}.json"
        pmw_ok("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(p2p[i]), "--name", f"node{i}",
               "--home", str(home), "-o", str(card))
        cards.append(str(card))
        nodes.append(Node(home, rpc[i], base / f"node{i}.log"))
    genesis = base / "genesis.json"
    pmw_ok("genesis", "new", *cards, "--chain-id", "pmwizard-e2e", "-o", str(genesis))
    for i, n in enumerate(nodes):
        pmw_ok("configure", "--genesis", str(genesis), "--peers", *cards, "--moniker", f"node{i}",
               "--rpc-laddr", f"tcp://127.0.0.1:{rpc[i]}", "--home", str(n.home), "--yes")
    started = time.monotonic()
    with tendermint_nodes(nodes) as running:
        yield {"base": base, "nodes": running, "cards": cards, "genesis": genesis, "p2p": p2p, "started": started}


def test_configure_set_what_several_nodes_on_one_host_need(network) -> None:
    for i, n in enumerate(network["nodes"]):
        doc = tomllib.loads((n.home / "config/config.toml").read_text())
        assert doc["p2p"]["laddr"].endswith(f":{network['p2p'][i]}")
        assert doc["p2p"]["addr_book_strict"] is False and doc["p2p"]["allow_duplicate_ip"] is True
        assert len(doc["p2p"]["persistent_peers"].split(",")) == N - 1


def test_every_node_has_three_peers_and_sees_a_committed_tx(network) -> None:
    nodes = network["nodes"]
    wait_until(lambda: all(n.peers() == N - 1 for n in nodes), 90, "every node has 3 peers", nodes)
    t0 = time.monotonic()
    result = nodes[0].rpc("broadcast_tx_commit", tx='"pmwizard=works"')["result"]
    assert result["check_tx"]["code"] == 0 and result["deliver_tx"]["code"] == 0, result
    height = int(result["height"])

    def seen_by_all() -> bool:
        for n in nodes:
            r = n.rpc("abci_query", data='"pmwizard"')["result"]["response"]
            if r.get("value") != base64.b64encode(b"works").decode():
                return False
        return all(n.height() >= height for n in nodes)

    wait_until(seen_by_all, 60, "the transaction is seen by every node", nodes)
    print(f"\nfirst committed tx: {time.monotonic() - network['started']:.1f} s after start "
          f"({time.monotonic() - t0:.2f} s from broadcast to seen by all {N})")


def test_doctor_finds_every_node_matching_then_a_chain_mismatch(network) -> None:
    nodes, cards = network["nodes"], network["cards"]
    ids = [json.loads(Path(c).read_text())["node_id"] for c in cards]
    rpc_args = [a for i, n in enumerate(nodes) for a in ("--rpc", f"{ids[i]}=http://127.0.0.1:{n.rpc_port}")]
    doc = json.loads(pmw("doctor", "--genesis", str(network["genesis"]), *cards, *rpc_args, "--timeout", "3",
                         "--json"))
    status = [f for f in doc["findings"] if f["check"] == "rpc.status"]
    assert len(status) == N and all(f["code"] == "ok" for f in status), status
    assert all(f["code"] == "open" for f in doc["findings"] if f["check"] == "net.p2p")

    # node 3 comes back on another chain: its own copy of the genesis with another chain_id, fresh data
    victim = nodes[3]
    stop(victim)
    other = json.loads((victim.home / "config/genesis.json").read_text())
    other["chain_id"] = "another-chain"
    (victim.home / "config/genesis.json").write_text(json.dumps(other, indent=2))
    for db in ("blockstore.db", "state.db", "evidence.db", "tx_index.db", "cs.wal"):
        shutil.rmtree(victim.home / "data" / db, ignore_errors=True)
    (victim.home / "data/priv_validator_state.json").write_text('{\n  "height": "0",\n  "round": 0,\n  "step": 0\n}')
    start(victim)
    wait_until(lambda: (victim.status() or {}).get("node_info", {}).get("network") == "another-chain", 60,
               "node 3 runs on another chain", [victim])
    doc = json.loads(pmw("doctor", "--genesis", str(network["genesis"]), *cards, *rpc_args, "--timeout", "3",
                         "--json"))
    codes = {f["evidence"].get("member", f["target"]): f["code"] for f in doc["findings"] if f["check"] == "rpc.status"}
    assert list(codes.values()).count("chain_id_mismatch") == 1 and list(codes.values()).count("ok") == N - 1, codes
