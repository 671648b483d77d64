"""`doctor --network` and the local doctor's health checks against a real four-validator CometBFT 0.34 network
on loopback, formed from pmwizard's own files (identity init, card export, genesis new, configure), with
short consensus timeouts and empty blocks so a block comes about every second.

One network for the module, the tests in order: healthy -> one validator stopped (named, margin) -> a second
stopped (halt predicted, then a stall naming both) -> both restarted (recovery) -> one node restarted cut off
from its peers (catching up with heights, the local doctor's 0 peers / stuck) -> clock skew under faketime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomlkit

from pmwizard.checks.finding import Finding, Status
from tests.support.ports import free_port
from tests.support.require import require_binary
from tests.support.tmnet import Node, start, stop, tendermint_nodes, wait_until

from .coverage import seen

pytestmark = pytest.mark.e2e
N = 4
FAST = {"timeout_propose": "1s", "timeout_propose_delta": "100ms", "timeout_prevote": "300ms",
        "timeout_prevote_delta": "100ms", "timeout_precommit": "300ms", "timeout_precommit_delta": "100ms",
        "timeout_commit": "1s", "create_empty_blocks": True}
# timeout_commit stays at 1 s: a vote's time is at least the proposal's time + time_iota_ms (1 s in the
# genesis), so faster blocks would run the block time ahead of the clocks and hide stalls and clock skew.


def pmw(*argv: str, ok: tuple[int, ...] = (0, 1)) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ), check=False)
    assert r.returncode in ok, f"{argv}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def tune(home: Path, **p2p: object) -> None:
    """Fast blocks for the test (a Planetmint node keeps create_empty_blocks = false) and p2p overrides."""
    path = home / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    for k, v in FAST.items():
        doc["consensus"][k] = v
    for k, v in p2p.items():
        doc["p2p"][k] = v
    path.write_text(tomlkit.dumps(doc))


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("health")
    p2p = [free_port() for _ in range(N)]
    rpc = [free_port() for _ in range(N)]
    nodes, cards = [], []
    for i in range(N):
        home = base / f"node{i}"
        pmw("identity", "init", "--home", str(home), ok=(0,))
        card = base / f"card{i}.json"
        pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(p2p[i]), "--name", f"node{i}",
            "--home", str(home), "-o", str(card), ok=(0,))
        cards.append(str(card))
        nodes.append(Node(home, rpc[i], base / f"node{i}.log"))
    genesis = base / "genesis.json"
    pmw("genesis", "new", *cards, "--chain-id", "pmwizard-health", "-o", str(genesis), ok=(0,))
    metrics = free_port()
    for i, n in enumerate(nodes):
        pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--moniker", f"node{i}",
            "--rpc-laddr", f"tcp://127.0.0.1:{rpc[i]}", "--home", str(n.home), "--yes",
            *(["--metrics", f"127.0.0.1:{metrics}"] if i == 0 else []), ok=(0,))
        tune(n.home)
    with tendermint_nodes(nodes) as running:
        wait_until(lambda: all(n.peers() == N - 1 for n in running) and min(n.height() for n in running) >= 3,
                   90, "4 connected nodes making blocks", running)
        yield {"base": base, "nodes": running, "cards": cards, "genesis": genesis, "p2p": p2p, "metrics": metrics}


def rpc_args(net: dict, *which: int) -> list[str]:
    """This node (node0) first; `which` further member RPCs."""
    nodes = net["nodes"]
    out = ["--rpc", f"local=http://127.0.0.1:{nodes[0].rpc_port}"]
    for i in which:
        out += ["--rpc", f"node{i}=http://127.0.0.1:{nodes[i].rpc_port}"]
    return out


def network(net: dict, *extra: str, which: tuple[int, ...] = (1, 2, 3)) -> list[Finding]:
    r = pmw("doctor", "--network", *net["cards"], "--home", str(net["nodes"][0].home), *rpc_args(net, *which),
            "--timeout", "3", "--json", *extra)
    doc = json.loads(r.stdout)
    assert r.returncode == (1 if doc["summary"]["fail"] + doc["summary"]["error"] else 0)
    assert doc["network"]["rpc_calls"] > 0
    return seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"], f["fix"], f["evidence"])
                for f in doc["findings"])


def of(found: list[Finding], check: str, target: str | None = None) -> list[Finding]:
    return [f for f in found if f.check == check and (target is None or f.target == target)]


def consensus(found: list[Finding]) -> Finding:
    (c,) = of(found, "network.consensus")
    return c


def test_a_healthy_network_is_all_ok(net: dict) -> None:
    found = network(net)
    bad = [f.to_json() for f in found if f.status != Status.PASS]
    assert not bad, bad
    assert consensus(found).code == "ok" and "4 of 4 validators voting (100% of power)" in consensus(found).message
    assert {f.target for f in of(found, "network.validator")} == {f"node{i}" for i in range(N)}
    # a vote that arrives a moment late is left out of a commit: a miss or two is normal on a busy machine
    assert all(f.evidence["consecutive_missed"] < 3 and f.evidence["commits_read"] >= 3
               for f in of(found, "network.validator"))
    assert {f.code for f in of(found, "network.peer")} == {"ok"} and len(of(found, "network.peer")) == N - 1
    (agree,) = of(found, "network.app_hash")
    assert agree.code == "ok" and "4 nodes agree" in agree.message
    assert [f.code for f in of(found, "network.node")] == ["ok"] * N
    assert of(found, "network.version")[0].code == "ok"
    assert of(found, "network.disk")[0].code == "ok"
    # node0 serves Tendermint's metrics (configure --metrics); the doctor found them through its config.toml
    assert consensus(found).evidence["metrics"]["consensus_validators"] == N
    assert "0 validators missing" in consensus(found).message
    assert len(of(found, "network.clock")) == N + 1 and {f.code for f in of(found, "network.clock")} == {"ok"}


def test_the_local_doctor_sees_peers_and_new_blocks(net: dict) -> None:
    n = net["nodes"][0]
    r = pmw("doctor", "--home", str(n.home), "--rpc", f"local=http://127.0.0.1:{n.rpc_port}",
            "--p2p-port", str(net["p2p"][0]), "--timeout", "3", "--json")
    doc = json.loads(r.stdout)
    health = {f["check"]: f for f in doc["findings"] if f["check"].startswith("node.")}
    seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"]) for f in health.values())
    assert health["node.peers"]["code"] == "ok" and "3 peers" in health["node.peers"]["message"], health
    assert health["node.blocks"]["code"] == "ok" and "advancing" in health["node.blocks"]["message"], health


def test_export_prometheus_scrapes_metrics_that_exist_and_promtool_accepts_it(net: dict) -> None:
    import re
    import urllib.request

    from pmwizard.render.prometheus import ALERTS

    promtool = require_binary("promtool")
    with urllib.request.urlopen(f"http://127.0.0.1:{net['metrics']}/metrics", timeout=5) as r:
        served = {line.split("{")[0].split(" ")[0] for line in r.read().decode().splitlines() if line[:1] != "#"}
    # the binary under test is CometBFT 0.34.35: namespace cometbft (Tendermint 0.34.24's is tendermint)
    used = {m.replace("{ns}", "cometbft") for _, expr, *_ in ALERTS for m in re.findall(r"\{ns\}_[a-z0-9_]+", expr)}
    assert used and used <= served, f"alert rules use metrics CometBFT 0.34 does not serve: {sorted(used - served)}"
    out = net["base"] / "prometheus"
    r = pmw("export", "prometheus", *net["cards"], "-o", str(out), "--check", ok=(0,))
    assert "+++ " in r.stdout and not out.exists()
    pmw("export", "prometheus", *net["cards"], "--target", "extra=127.0.0.1:26661", "--namespace", "cometbft",
        "-o", str(out), "--yes", ok=(0,))
    assert "cometbft_p2p_peers < 1" in (out / "pmwizard-rules.yml").read_text()
    config = (out / "prometheus.yml").read_text()
    assert config.count("127.0.0.1:26660") == N and '"extra"' in config
    for what, path in (("config", out / "prometheus.yml"), ("rules", out / "pmwizard-rules.yml")):
        check = subprocess.run([promtool, "check", what, str(path)], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stdout + check.stderr
    assert "5 rules found" in subprocess.run([promtool, "check", "rules", str(out / "pmwizard-rules.yml")],
                                             capture_output=True, text=True, check=False).stdout
    bad = pmw("export", "prometheus", "--target", "no-port", "-o", str(out / "x"), "--yes", ok=(1,))
    assert "--target" in bad.stderr and "Traceback" not in bad.stderr and not (out / "x").exists()


def local_doctor(home: Path, rpc_port: int, p2p_port: int, *extra: str) -> dict[str, dict]:
    r = pmw("doctor", "--home", str(home), "--rpc", f"local=http://127.0.0.1:{rpc_port}", "--p2p-port",
            str(p2p_port), "--timeout", "2", "--json", *extra)
    found = {f["check"]: f for f in json.loads(r.stdout)["findings"] if f["check"].startswith("node.")}
    seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"], f["fix"])
         for f in found.values())
    assert r.returncode == (1 if any(f["status"] in ("fail", "error") for f in json.loads(r.stdout)["findings"])
                            else 0)
    return found


def lonely_node(net: dict, name: str, peers_line: str) -> Node:
    """A fifth, non-validator home configured by pmwizard for this network, whose peers line is then replaced
    by `peers_line` (the four validators do not know it, so only its own dialing could give it peers)."""
    home = net["base"] / name
    pmw("identity", "init", "--home", str(home), ok=(0,))
    rpc, p2p = free_port(), free_port()
    pmw("configure", "--genesis", str(net["genesis"]), "--peers", *net["cards"], "--rpc-laddr",
        f"tcp://127.0.0.1:{rpc}", "--home", str(home), "--yes", ok=(0,))
    tune(home, persistent_peers=peers_line, laddr=f"tcp://127.0.0.1:{p2p}", pex=False)
    node = Node(home, rpc, net["base"] / f"{name}.log")
    node.p2p = p2p  # type: ignore[attr-defined]
    start(node)
    wait_until(lambda: node.status(), 60, f"{name}'s RPC", [node])
    return node


def test_the_local_doctor_names_wrong_peers_when_node_ids_do_not_answer(net: dict) -> None:
    ids = [json.loads(Path(c).read_text())["node_id"] for c in net["cards"]]
    p2p = net["p2p"]
    # every entry names the node ID of another member than the one listening at that port
    line = ",".join(f"{ids[(i + 1) % N]}@127.0.0.1:{p2p[i]}" for i in range(N))
    node = lonely_node(net, "wrongpeers", line)
    try:
        time.sleep(2)  # let it dial (and fail) once
        assert node.peers() == 0
        health = local_doctor(node.home, node.rpc_port, node.p2p)  # type: ignore[attr-defined]
        peers = health["node.peers"]
        assert peers["code"] == "wrong_peers" and peers["status"] == "fail", peers
        assert peers["message"].startswith("0 of 4 peers connected") and ids[1] in peers["message"]
        assert "persistent_peers" in peers["fix"]
        assert health["node.blocks"]["status"] == "fail"  # catching up with nobody to sync from
    finally:
        stop(node)


def test_the_local_doctor_names_a_firewall_when_every_peer_times_out(net: dict) -> None:
    from tests.support.faults import full_backlog

    ids = [json.loads(Path(c).read_text())["node_id"] for c in net["cards"]]
    with full_backlog() as dropped:
        node = lonely_node(net, "firewalled", f"{ids[0]}@127.0.0.1:{dropped},{ids[1]}@127.0.0.1:{dropped}")
        try:
            health = local_doctor(node.home, node.rpc_port, node.p2p)  # type: ignore[attr-defined]
        finally:
            stop(node)
    peers = health["node.peers"]
    assert peers["code"] == "firewall" and peers["status"] == "fail", peers
    assert "time out" in peers["message"] and "ufw allow" in peers["fix"]


def test_the_local_doctor_names_peers_that_do_not_run(net: dict) -> None:
    from tests.support.faults import refused_port

    ids = [json.loads(Path(c).read_text())["node_id"] for c in net["cards"]]
    with refused_port() as nothing:
        node = lonely_node(net, "peersdown", f"{ids[0]}@127.0.0.1:{nothing}")
        try:
            health = local_doctor(node.home, node.rpc_port, node.p2p)  # type: ignore[attr-defined]
        finally:
            stop(node)
    peers = health["node.peers"]
    assert peers["code"] == "peers_down" and peers["status"] == "fail", peers
    assert f"127.0.0.1:{nothing}" in peers["message"] and "start Tendermint" in peers["fix"]


def test_a_peer_name_the_nameserver_does_not_answer_gets_dns_advice(net: dict) -> None:
    """The peers line names localhost (Tendermint's own resolver finds it; nothing listens there, so 0 peers);
    the doctor is told to ask a nameserver that never answers: node.peers says the name does not resolve, and
    does not quietly ask the system resolver instead and blame the peer or a firewall."""
    from tests.support.faults import refused_port, silent_udp

    ids = [json.loads(Path(c).read_text())["node_id"] for c in net["cards"]]
    with refused_port() as nothing, silent_udp() as silent:
        node = lonely_node(net, "peerdns", f"{ids[0]}@localhost:{nothing}")
        try:
            health = local_doctor(node.home, node.rpc_port, node.p2p,  # type: ignore[attr-defined]
                                  "--nameserver", f"127.0.0.1:{silent}")
        finally:
            stop(node)
    peers = health["node.peers"]
    assert peers["code"] == "dns" and peers["status"] == "fail", peers
    assert "localhost" in peers["message"] and "no answer within 2 s" in peers["message"], peers["message"]
    assert "This is DNS" in peers["fix"] and "firewall" not in peers["fix"]
    assert "handshakes" not in peers["evidence"]  # no dial went behind the nameserver's back


def test_stale_dns_in_the_peers_line_is_named(net: dict, knot) -> None:
    """node1's card says m1.net.test (127.0.0.1, where it is connected); node2's hostname now resolves
    to 10.0.0.5 (priv.good.test) while this node still talks to it on 127.0.0.1."""
    import asyncio
    import dataclasses

    from pmwizard.checks.network_run import members_from_cards, run_network
    from pmwizard.core.cards import read_cards

    cards = [read_cards(Path(c))[0].card for c in net["cards"]]
    members = members_from_cards(cards)
    members[1] = dataclasses.replace(members[1], hostname="m1.net.test")
    members[2] = dataclasses.replace(members[2], hostname="priv.good.test")
    rep = asyncio.run(run_network([f"http://127.0.0.1:{net['nodes'][0].rpc_port}"], members,
                                  nameservers=[f"127.0.0.1:{knot.port}"], timeout=3))
    peers = {f.target: f for f in seen(rep.findings) if f.check == "network.peer"}
    assert peers["node1"].code == "ok"
    assert peers["node2"].code == "stale_dns" and "10.0.0.5" in peers["node2"].message
    assert "old IP" in peers["node2"].message and "persistent_peers" in peers["node2"].fix


def test_one_validator_down_is_named_and_the_margin_says_any_further_loss_halts(net: dict) -> None:
    nodes = net["nodes"]
    stop(nodes[3])
    h = nodes[0].height()
    wait_until(lambda: nodes[0].height() >= h + 5, 60, "blocks without node3", nodes[:3])
    found = network(net, which=(1, 2))
    v3 = of(found, "network.validator", "node3")[0]
    assert v3.code == "not_signing" and v3.status == Status.FAIL and v3.evidence["consecutive_missed"] >= 3, v3
    assert "NOT connected" in v3.message
    assert {f.code for f in of(found, "network.validator") if f.target != "node3"} <= {"ok", "missed"}
    c = consensus(found)
    assert c.code == "margin" and c.status == Status.WARN, c
    assert "one more failure halts the chain: node0, node1, node2 must stay up" in c.message
    assert of(found, "network.peer", "node3")[0].code == "not_connected"


def test_a_second_loss_is_a_predicted_halt_then_a_stall_naming_both(net: dict) -> None:
    nodes = net["nodes"]
    stop(nodes[2])
    wait_until(lambda: nodes[0].peers() == 1, 30, "node0 sees node2 gone", nodes[:2])
    found = network(net, which=(1, 2))  # --stall-after 30: predicted before any stall could be seen
    c = consensus(found)
    assert c.status == Status.FAIL and c.code == "halt", c
    down = [f for f in of(found, "network.node") if f.code == "unreachable"]
    assert len(down) == 1 and str(nodes[2].rpc_port) in down[0].target and down[0].status == Status.ERROR
    assert "node2, node3" in c.message and "more than 2/3 is needed" in c.message
    time.sleep(4)
    found = network(net, "--stall-after", "3", which=(1,))
    c = consensus(found)
    assert c.code == "stall", json.dumps(dict(c.evidence))
    assert c.message.startswith("no block for ")
    assert "validators node2, node3 (50% of power) are not voting" in c.message
    assert c.evidence["step"] >= 3  # inside the height (no +2/3 of any prevotes: Tendermint waits in round 0)
    n = nodes[0]
    r = pmw("doctor", "--home", str(n.home), "--rpc", f"local=http://127.0.0.1:{n.rpc_port}",
            "--p2p-port", str(net["p2p"][0]), "--timeout", "3", "--json")
    blocks = [f for f in json.loads(r.stdout)["findings"] if f["check"] == "node.blocks"]
    # the local doctor's stall threshold is 30 s; within it the node is "waiting", never a silent ok with rounds failing
    assert blocks and blocks[0]["code"] in ("ok", "stalled") and r.returncode in (0, 1)


def test_restarting_both_recovers(net: dict) -> None:
    nodes = net["nodes"]
    start(nodes[2])
    start(nodes[3])
    h = nodes[0].height()
    wait_until(lambda: nodes[0].height() >= h + 12 and nodes[0].peers() == N - 1, 90, "recovery", nodes)
    found = network(net)
    assert consensus(found).code == "ok", consensus(found)
    assert {f.code for f in of(found, "network.validator")} <= {"ok", "missed"}, of(found, "network.validator")
    assert all(f.evidence["consecutive_missed"] < 3 for f in of(found, "network.validator"))


def test_a_lagging_node_shows_catching_up_with_heights(net: dict) -> None:
    """node3 restarted on another P2P port with no peers and no PEX: nobody can reach it, it stays in block
    sync (catching_up) at its old height while the others go on."""
    nodes = net["nodes"]
    lag = nodes[3]
    stop(lag)
    h = nodes[0].height()
    wait_until(lambda: nodes[0].height() >= h + 6, 60, "the others go on", nodes[:3])
    start(lag, f"--p2p.laddr=tcp://127.0.0.1:{free_port()}", "--p2p.persistent_peers=", "--p2p.pex=false")
    wait_until(lambda: lag.status(), 60, "node3's RPC", [lag])
    found = network(net)
    (node3,) = [f for f in of(found, "network.node") if f.evidence.get("url", "").endswith(f":{lag.rpc_port}")]
    assert node3.code == "catching_up" and node3.status == Status.WARN, node3
    lag_h, top = node3.evidence["height"], node3.evidence["highest_seen"]
    assert lag_h < top and f"height {lag_h} of {top}" in node3.message
    # the same node's local doctor: 0 peers (nothing listens at the ports its config still names? they do:
    # the others run) and catching up without moving
    r = pmw("doctor", "--home", str(lag.home), "--rpc", f"local=http://127.0.0.1:{lag.rpc_port}",
            "--p2p-port", str(net["p2p"][3]), "--timeout", "3", "--json")
    assert r.returncode == 1
    health = {f["check"]: f for f in json.loads(r.stdout)["findings"] if f["check"].startswith("node.")}
    seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"]) for f in health.values())
    assert health["node.blocks"]["code"] == "stuck" and health["node.blocks"]["status"] == "fail", health
    assert health["node.peers"]["status"] == "fail" and health["node.peers"]["message"].startswith("0 of 3 peers")
    stop(lag)
    start(lag)
    wait_until(lambda: not (lag.status() or {}).get("sync_info", {}).get("catching_up", True)
               and lag.peers() == N - 1, 90, "node3 caught up", [lag])


def test_watch_prints_json_lines_and_keeps_the_exit_code(net: dict) -> None:
    t0 = time.monotonic()
    r = pmw("doctor", "--network", *net["cards"], "--home", str(net["nodes"][0].home), *rpc_args(net, 1, 2, 3),
            "--watch", "--count", "2", "--interval", "0.5", "--timeout", "3", "--json")
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 2 and time.monotonic() - t0 >= 0.5
    docs = [json.loads(line) for line in lines]
    assert docs[1]["network"]["checked_at"] > docs[0]["network"]["checked_at"]
    assert r.returncode == (1 if docs[-1]["summary"]["fail"] + docs[-1]["summary"]["error"] else 0)


def test_a_clock_off_under_faketime_is_named(net: dict) -> None:
    """This machine's clock 20 s ahead under Debian's faketime (libfaketime cannot move a Go program's
    clock: Go reads the time through the vDSO, not libc, so the doctor is the process put off instead).
    The nodes' HTTP Date headers all disagree with it by the same amount: this machine is named."""
    faketime = require_binary("faketime")
    nodes = net["nodes"]
    argv = ["doctor", "--network", *net["cards"], "--home", str(nodes[0].home), *rpc_args(net, 1, 2, 3),
            "--timeout", "3", "--json"]
    r = subprocess.run([faketime, "-f", "+20s", sys.executable, "-m", "pmwizard", *argv], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ), check=False)
    doc = json.loads(r.stdout)
    found = seen(Finding(f["check"], f["target"], Status(f["status"]), f["code"], f["message"], f["fix"],
                         f["evidence"]) for f in doc["findings"])
    clock = {f.target: f for f in of(found, "network.clock")}
    me = clock["this machine"]
    assert me.code == "skew" and me.status == Status.WARN, me
    assert "this machine's clock is off by +2" in me.message or "this machine's clock is off by +19" in me.message
    # the validators' own vote times agree (node3, just back from lagging, may have no vote in the commits read)
    votes = [f for t, f in clock.items() if t != "this machine"]
    assert len(votes) >= N - 1 and all(f.code == "ok" for f in votes), clock
    # without faketime the same machine agrees with the nodes
    found = network(net)
    assert {f.target: f for f in of(found, "network.clock")}["this machine"].code == "ok"
