"""p2p.handshake against four real `tendermint node` processes (CometBFT 0.34) on loopback, a network
made by `tendermint testnet --v 4` (one genesis, each node peered with the other three through
--p2p.persistent_peers): every node's real node ID and chain, mismatches, the nodes unharmed by being
probed, and doctor verifying all four members by handshake with their RPC not given."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pmwizard.checks.doctor import MEMBER_CHECKS, DoctorTarget, run_doctor
from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.p2p import check_p2p_handshake, handshake
from tests.support.ports import free_port
from tests.support.require import tendermint_binary
from tests.support.tmnet import Node, start, stop, wait_until

from .codes import seen


@dataclass
class Network:
    nodes: list[Node]
    node_ids: list[str]  # from `tendermint show-node-id`
    p2p_ports: list[int]
    chain_id: str

    def logs(self) -> str:
        return "\n".join(n.show_log() for n in self.nodes)


def _edit(config: Path, key: str, value: str) -> None:
    text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", config.read_text(), count=1, flags=re.MULTILINE)
    assert n == 1, f"{key} not in {config}"
    config.write_text(text)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    tm = tendermint_binary()
    out = tmp_path_factory.mktemp("tmnet")
    subprocess.run([tm, "testnet", "--v", "4", "--o", str(out), "--populate-persistent-peers=false"],
                   check=True, capture_output=True, timeout=60)
    homes = [out / f"node{i}" for i in range(4)]
    ids = [subprocess.run([tm, "show-node-id", "--home", str(h)], check=True, capture_output=True, text=True,
                          timeout=30).stdout.strip() for h in homes]
    for h in homes:
        config = h / "config" / "config.toml"
        _edit(config, "create_empty_blocks", "false")  # blocks only for transactions: keeps CPU low
        assert "allow_duplicate_ip = true" in config.read_text()  # four nodes share 127.0.0.1
    chain_id = json.loads((homes[0] / "config" / "genesis.json").read_text())["chain_id"]
    p2p = [free_port() for _ in homes]
    nodes = [Node(h, free_port(), h / "node.log") for h in homes]
    net = Network(nodes, ids, p2p, chain_id)
    try:
        for i, n in enumerate(nodes):
            peers = ",".join(f"{ids[j]}@127.0.0.1:{p2p[j]}" for j in range(4) if j != i)
            start(n, f"--p2p.laddr=tcp://127.0.0.1:{p2p[i]}", f"--rpc.laddr=tcp://127.0.0.1:{n.rpc_port}",
                  f"--p2p.persistent_peers={peers}")
        wait_until(lambda: all(n.status() for n in nodes), 60, "every node's RPC answers", nodes)
        wait_until(lambda: all(n.peers() == 3 for n in nodes), 90, "each node peered with the other three", nodes)
        yield net
    except BaseException:
        print(net.logs())
        raise
    finally:
        for n in nodes:
            stop(n)


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest, network: Network) -> Iterator[None]:
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(network.logs())


async def test_handshake_returns_each_nodes_real_id_and_chain(network: Network) -> None:
    infos = await asyncio.gather(*(handshake("127.0.0.1", p, timeout=5) for p in network.p2p_ports))
    for i, info in enumerate(infos):
        assert info.node_id == network.node_ids[i]  # == `tendermint show-node-id`
        assert info.claimed_node_id == info.node_id
        assert info.network == network.chain_id
        assert info.moniker == f"node{i}"
        assert info.listen_addr == f"tcp://127.0.0.1:{network.p2p_ports[i]}"
        assert (info.p2p_protocol, info.block_protocol) == (8, 11)
        assert info.version.startswith("0.34.")
        assert info.rpc_address == f"tcp://127.0.0.1:{network.nodes[i].rpc_port}"


async def test_check_ok_for_the_right_card(network: Network) -> None:
    f = seen(await check_p2p_handshake("127.0.0.1", network.p2p_ports[0], expect_node_id=network.node_ids[0],
                                       expect_chain_id=network.chain_id, timeout=5))
    assert (f.status, f.code) == (Status.PASS, "ok"), f.to_json()


async def test_a_card_with_another_members_node_id_is_node_id_mismatch(network: Network) -> None:
    f = seen(await check_p2p_handshake("127.0.0.1", network.p2p_ports[0], expect_node_id=network.node_ids[1],
                                       expect_chain_id=network.chain_id, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "node_id_mismatch"), f.to_json()
    assert (f.evidence["node_id"], f.evidence["expected_node_id"]) == (network.node_ids[0], network.node_ids[1])


async def test_another_chain_is_chain_id_mismatch(network: Network) -> None:
    f = seen(await check_p2p_handshake("127.0.0.1", network.p2p_ports[2], expect_chain_id="planetmint-other",
                                       timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "chain_id_mismatch"), f.to_json()
    assert (f.evidence["network"], f.evidence["expected_chain_id"]) == (network.chain_id, "planetmint-other")


def _peer_ids(log: str) -> set[str]:
    """IDs of every connection that became a peer (0.34 logs 'Starting Peer service' for each)."""
    return set(re.findall(r'peer=([0-9a-f]{40})@\S+ msg="Starting Peer service"', log))


async def test_nodes_keep_working_after_being_probed(network: Network) -> None:
    logs_before = [n.log.read_text(errors="replace") for n in network.nodes]
    for _ in range(5):
        found = await asyncio.gather(*(check_p2p_handshake("127.0.0.1", p, timeout=5) for p in network.p2p_ports))
        assert all(f.code == "ok" for f in found), [f.to_json() for f in found]
    # each probe ends as an Info-level rejection on the node: the connection never became a peer
    wait_until(lambda: all(n.log.read_text(errors="replace").count("handshake failed: EOF")
                           - before.count("handshake failed: EOF") >= 5
                           for n, before in zip(network.nodes, logs_before, strict=True)), 20,
               "five 'Inbound Peer rejected ... handshake failed: EOF' lines on every node", network.nodes)
    assert all(n.peers() == 3 for n in network.nodes), "a node lost a peer after being probed"
    assert all(n.proc is not None and n.proc.poll() is None for n in network.nodes), "a node exited"
    # still a working network: a transaction sent to node 0 is committed and seen by all four
    result = network.nodes[0].rpc("broadcast_tx_commit", tx='"probed=yes"')["result"]
    height = int(result["height"])
    assert height > 0 and result["deliver_tx"].get("code", 0) == 0, result
    wait_until(lambda: all(n.height() >= height for n in network.nodes), 30, "all nodes at the tx's height",
               network.nodes)
    for n, node_id, before in zip(network.nodes, network.node_ids, logs_before, strict=True):
        log = n.log.read_text(errors="replace")
        assert "panic" not in log.lower() and "CONSENSUS FAILURE" not in log
        assert _peer_ids(log) == set(network.node_ids) - {node_id}, "something else than a member became a peer"
        assert "Stopping peer for error" not in log[len(before):]


async def test_doctor_verifies_every_member_by_handshake(network: Network) -> None:
    # no --rpc: the nodes' RPC listens on other ports, so doctor's guess of :26657 finds nothing of theirs
    targets = [DoctorTarget(name=f"node{i}", hostname="127.0.0.1", p2p_port=p, node_id=network.node_ids[i])
               for i, p in enumerate(network.p2p_ports)]
    streamed: list[Finding] = []
    start_t = time.monotonic()
    found = await run_doctor(targets, chain_id=network.chain_id, timeout=5, on_finding=streamed.append)
    elapsed = time.monotonic() - start_t
    handshakes = {f.evidence["member"]: seen(f) for f in found if f.check == "p2p.handshake"}
    assert set(handshakes) == {t.name for t in targets}
    for i, t in enumerate(targets):
        f = handshakes[t.name]
        assert (f.status, f.code) == (Status.PASS, "ok"), f.to_json()
        assert f.evidence["node_id"] == network.node_ids[i] and f.evidence["network"] == network.chain_id
    assert all(f.status == Status.PASS for f in found if f.check == "net.p2p")
    assert len(streamed) == len(found)
    for f in found:
        print(f.evidence["member"], f.check, f.status, f.code, f.message[:100])
    print(f"doctor over 4 members: {elapsed:.2f} s")


async def test_doctor_names_the_swapped_card_and_the_wrong_genesis(network: Network) -> None:
    ids = network.node_ids
    targets = [DoctorTarget(name="good", hostname="127.0.0.1", p2p_port=network.p2p_ports[0], node_id=ids[0]),
               DoctorTarget(name="swapped", hostname="127.0.0.1", p2p_port=network.p2p_ports[1], node_id=ids[2])]
    checks = [c for c in MEMBER_CHECKS if c[0] == "p2p.handshake"]
    found = {f.evidence["member"]: seen(f) for f in await run_doctor(targets, chain_id=network.chain_id,
                                                                      timeout=5, checks=checks)}
    assert (found["good"].code, found["swapped"].code) == ("ok", "node_id_mismatch")
    wrong = await run_doctor(targets[:1], chain_id="planetmint-elsewhere", timeout=5, checks=checks)
    assert [f.code for f in wrong] == ["chain_id_mismatch"]


async def test_handshake_time(network: Network) -> None:
    times = []
    for _ in range(10):
        t0 = time.monotonic()
        await handshake("127.0.0.1", network.p2p_ports[3], timeout=5)
        times.append(time.monotonic() - t0)
    times.sort()
    print(f"handshake on loopback: median {times[5] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms")
    assert times[-1] < 5.0


def test_cli_checks_every_peer_of_a_config(network: Network, tmp_path: Path) -> None:
    """`pmwizard check p2p --config`: node 0's real peers line, plus one entry naming the wrong node ID, against
    the chain of node 0's genesis.json: three ok, the typo found with both IDs, exit 1."""
    ids, ports = network.node_ids, network.p2p_ports
    config = tmp_path / "config.toml"
    config.write_text((network.nodes[0].home / "config" / "config.toml").read_text())
    entries = [f"{ids[j]}@127.0.0.1:{ports[j]}" for j in (1, 2, 3)] + [f"{ids[1]}@127.0.0.1:{ports[2]}"]
    _edit(config, "persistent_peers", json.dumps(",".join(entries)))
    r = subprocess.run([sys.executable, "-m", "pmwizard", "check", "p2p", "--config", str(config), "--genesis",
                        str(network.nodes[0].home / "config" / "genesis.json"), "--json"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 1, r.stderr
    by_target = {f["evidence"]["member"]: f for f in json.loads(r.stdout)["findings"]}
    assert [by_target[e]["code"] for e in entries] == ["ok", "ok", "ok", "node_id_mismatch"]
    assert all(by_target[e]["evidence"]["network"] == network.chain_id for e in entries)
    assert ids[1] in by_target[entries[3]]["message"] and ids[2] in by_target[entries[3]]["message"]


async def test_last_a_node_refusing_duplicate_ips_is_a_warning_not_a_failure(network: Network) -> None:
    """Runs last (it reconfigures node 3). With Tendermint's default `allow_duplicate_ip = false` a node keeps
    one connection per IP; once a peer at our IP (here all of 127.0.0.1) is connected, it closes the probe at
    once. That is the usual situation when doctor runs on a member: the check must say so, not fail."""
    n3 = network.nodes[3]
    stop(n3)
    _edit(n3.home / "config" / "config.toml", "allow_duplicate_ip", "false")
    peers = ",".join(f"{network.node_ids[j]}@127.0.0.1:{network.p2p_ports[j]}" for j in range(3))
    start(n3, f"--p2p.laddr=tcp://127.0.0.1:{network.p2p_ports[3]}", f"--rpc.laddr=tcp://127.0.0.1:{n3.rpc_port}",
          f"--p2p.persistent_peers={peers}")
    wait_until(lambda: n3.peers() == 1, 60, "node 3 connected to exactly one peer (one per IP)", network.nodes)
    f = seen(await check_p2p_handshake("127.0.0.1", network.p2p_ports[3], expect_node_id=network.node_ids[3],
                                       expect_chain_id=network.chain_id, timeout=5))
    assert (f.status, f.code) == (Status.WARN, "refused"), f.to_json()
    assert "allow_duplicate_ip" in f.message and "allow_duplicate_ip = true" in f.fix
    wait_until(lambda: "duplicate CONN<127.0.0.1:" in n3.log.read_text(errors="replace"), 10,
               "node 3 logs why it closed the probe", network.nodes)
    assert n3.peers() == 1 and n3.proc is not None and n3.proc.poll() is None
