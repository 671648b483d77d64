"""Issue 11's stuck network, reproduced with the real CometBFT 0.34: three validators on one address with
Tendermint's duplicate-IP filter left on (`allow_duplicate_ip = false`, `addr_book_strict = true`, as before
`configure` set them). The nodes log `duplicate CONN`, at least one has 0 peers and no block is ever made.
The local doctor must fail on every node, naming the filter as the cause with the fix, and say no block was
made; then `configure` (which sees the loopback peers) must turn the filter off in its preview."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import tomlkit

from pmwizard.checks.finding import Finding, Status
from tests.support.ports import free_port
from tests.support.tmnet import Node, tendermint_nodes, wait_until

from .coverage import seen

pytestmark = pytest.mark.e2e
N = 3


def pmw(*argv: str) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode in (0, 1), f"{argv}: {r.stdout}\n{r.stderr}"
    return r


def test_zero_peers_behind_the_duplicate_ip_filter_is_named_with_its_fix(tmp_path) -> None:
    p2p = [free_port() for _ in range(N)]
    rpc = [free_port() for _ in range(N)]
    nodes, cards = [], []
    for i in range(N):
        home = tmp_path / f"n{i}"
        assert pmw("identity", "init", "--home", str(home)).returncode == 0
        card = tmp_path / f"c{i}.json"
        assert pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(p2p[i]), "--name", f"n{i}",
                   "--home", str(home), "-o", str(card)).returncode == 0
        cards.append(str(card))
        nodes.append(Node(home, rpc[i], tmp_path / f"n{i}.log"))
    genesis = tmp_path / "genesis.json"
    assert pmw("genesis", "new", *cards, "--chain-id", "dup-ip", "-o", str(genesis)).returncode == 0
    for i, n in enumerate(nodes):
        assert pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--rpc-laddr",
                   f"tcp://127.0.0.1:{rpc[i]}", "--home", str(n.home), "--yes").returncode == 0
        path = n.home / "config" / "config.toml"
        doc = tomlkit.parse(path.read_text())
        doc["p2p"]["allow_duplicate_ip"] = False  # the state issue 11 found
        doc["p2p"]["addr_book_strict"] = True
        path.write_text(tomlkit.dumps(doc))
    with tendermint_nodes(nodes) as running:
        wait_until(lambda: "duplicate CONN" in "".join(n.log.read_text(errors="replace") for n in running),
                   60, "a node logs duplicate CONN", running)
        wait_until(lambda: min(n.peers() for n in running) == 0, 30, "a node with 0 peers", running)
        verdicts = []
        for i, n in enumerate(running):
            r = pmw("doctor", "--home", str(n.home), "--rpc", f"local=http://127.0.0.1:{n.rpc_port}",
                    "--p2p-port", str(p2p[i]), "--timeout", "2", "--json")
            assert r.returncode == 1, r.stdout
            found = {f["check"]: f for f in json.loads(r.stdout)["findings"]}
            seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"], f["fix"])
                 for f in found.values() if f["check"].startswith("node."))
            verdicts.append((n.peers(), found["node.peers"], found["node.blocks"]))
    for _peers, p, b in verdicts:
        assert p["code"] == "duplicate_ip", p
        assert "duplicate-IP filter" in p["message"] and "`duplicate CONN`" in p["message"]
        assert "allow_duplicate_ip = true" in p["fix"] and "addr_book_strict = false" in p["fix"]
        assert b["code"] in ("no_block", "stuck") and b["status"] == "fail", b
    assert any(p["status"] == "fail" and p["message"].startswith("0 of 2 peers") for _, p, _ in verdicts)
    # what configure would write now: the filter off, saying why
    r = pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--home", str(nodes[0].home), "--check")
    lines = r.stdout.splitlines()
    assert "-allow_duplicate_ip = false" in lines and "+allow_duplicate_ip = true" in lines, r.stdout
    assert "+addr_book_strict = false" in lines
