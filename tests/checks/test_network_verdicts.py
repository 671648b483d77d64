"""The network doctor's verdicts on states a loopback network cannot be put in on demand (a validator that
misses some commits, nodes on different Tendermint releases, an app hash fork, a full disk, a block sync
that moves, a long stall), given as the views the RPC reader builds; and an RPC that answers only half of
what Tendermint serves, from a real HTTP server on loopback."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import UTC, datetime, timedelta

from pmwizard.checks.finding import Status
from pmwizard.checks.network_health import Member, agreement_finding, disk_finding, verdicts
from pmwizard.checks.nodehealth import blocks_finding, check_node_health
from pmwizard.checks.rpcread import CommitSigs, NodeView, Validator

from .coverage import one, seen

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
VALS = [Validator(f"{i:040X}", 10, f"key{i}") for i in range(1, 5)]
MEMBERS = [Member(f"member{i}", v.address, node_id=f"{i:040x}") for i, v in enumerate(VALS, start=1)]


def commit(height: int, signers: list[Validator], app_hash: str = "AA", block_hash: str = "BB") -> CommitSigs:
    t = NOW - timedelta(seconds=100 - height)
    return CommitSigs(height, t, app_hash, block_hash, {v.address: t for v in signers})


def view(**kw) -> NodeView:
    base = {"url": "http://127.0.0.1:26657", "node_id": MEMBERS[0].node_id, "moniker": "member1", "network": "c",
                "version": "0.34.24", "address": VALS[0].address, "height": 100,
                "block_time": NOW - timedelta(seconds=1),
                "peers": {m.node_id: "127.0.0.1" for m in MEMBERS[1:]}, "validators": VALS, "step": 1}
    base.update(kw)
    return NodeView(**base)


def test_a_validator_missing_some_commits_is_a_warning_naming_it() -> None:
    commits = [commit(100 - i, VALS if i % 2 == 0 else VALS[:3]) for i in range(10)]  # member4 misses 5 of 10
    found = seen(verdicts([view(commits=commits)], MEMBERS, NOW))
    v4 = next(f for f in found if f.check == "network.validator" and f.target == "member4")
    assert v4.code == "missed" and v4.status == Status.WARN and v4.evidence["missed"] == 5
    assert "member4 (power 10, 25%): signed 5 of the last 10 commits" in v4.message and v4.fix
    assert one(found, "network.consensus").code == "ok"


def test_nodes_on_different_releases_are_a_version_skew() -> None:
    found = seen(verdicts([view(commits=[commit(100, VALS)]), view(url="http://127.0.0.1:2", moniker="member2",
                                                                   version="0.34.35")], MEMBERS, NOW))
    skew = one(found, "network.version")
    assert skew.code == "skew" and "member1 0.34.24" in skew.message and "member2 0.34.35" in skew.message


def test_an_app_hash_that_differs_at_a_common_height_is_named() -> None:
    tops = {"member1": commit(50, VALS), "member2": commit(50, VALS), "member3": commit(50, VALS, app_hash="FF")}
    f = agreement_finding(tops, 50)
    seen([f])
    assert f.code == "diverged" and f.status == Status.FAIL
    assert f.message == "member3: app hash differs from the others at height 50" and "unsafe_reset_all" in f.fix


def test_disk_below_five_percent_fails() -> None:
    low = disk_finding("/var/tm/data", 4, 100)
    seen([low, disk_finding("/var/tm/data", 50, 100)])
    assert low.code == "low" and "below 5%" in low.message and low.status == Status.FAIL


def test_block_sync_that_moves_is_catching_up_with_heights_and_a_long_wait_is_a_stall() -> None:
    first = view(height=40, catching_up=True)
    second = view(height=90, catching_up=True, peer_heights={"x": 400})
    f = blocks_finding(first, second)
    assert f.code == "catching_up" and f.message == "this node is catching up: height 90 of 400"
    old = datetime.now(UTC) - timedelta(seconds=120)
    stalled = blocks_finding(view(height=7, round=4, block_time=old), view(height=7, round=5, block_time=old))
    assert stalled.code == "stalled" and stalled.status == Status.FAIL and "no new block for 12" in stalled.message
    idle = blocks_finding(view(height=7, step=2, block_time=old), view(height=7, step=2, block_time=old))
    assert idle.code == "ok" and "idle" in idle.message  # create_empty_blocks = false and nothing to do
    seen([f, stalled, idle])


async def test_an_rpc_that_answers_only_status_is_unreadable_not_silent() -> None:
    status = {"result": {"node_info": {"id": "ab" * 20, "network": "c", "version": "0.34.24", "moniker": "m"},
                         "sync_info": {"latest_block_height": "5", "latest_block_time": "2026-12-01T12:00:00Z",
                                       "catching_up": False}}}
    answers = {"/status": status, "/net_info": {"result": {"n_peers": "0", "peers": []}}}

    class Half(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(answers.get(self.path, {"error": {"code": -32601, "message": "Method not found"}}))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Half)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        found = seen(await check_node_health(f"http://127.0.0.1:{server.server_port}", None, timeout=2, window=0))
    finally:
        server.shutdown()
        server.server_close()
    (f,) = found
    assert f.check == "node.blocks" and f.code == "unreadable" and f.status == Status.ERROR
    assert f.message.startswith("cannot read the node's state: ") and "Method not found" in f.message
    assert "dump_consensus_state" in f.fix


def test_validators_not_connected_to_an_isolated_node_are_not_counted_down() -> None:
    """With no peers at all this node is the one cut off: the others still signing is no halt."""
    commits = [commit(100 - i, VALS) for i in range(5)]
    alone = one(seen(verdicts([view(commits=commits, peers={})], MEMBERS, NOW)), "network.consensus")
    assert alone.code == "ok", alone
    # with one peer left, the two validators it lost are down or cut off: a predicted halt naming them
    lost = one(verdicts([view(commits=commits, peers={MEMBERS[1].node_id: "127.0.0.1"})], MEMBERS, NOW),
               "network.consensus")
    assert lost.code == "halt" and "member3, member4 (50% of power)" in lost.message
