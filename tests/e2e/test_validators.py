"""Members join and leave a running network, on real parts: three validators and one new node, each with
its own Tarantool, Planetmint 2.5.3 (own config, own ABCI port) and CometBFT 0.34 home, all from pmwizard's
files on loopback. The new node joins as a full node from a member's RPC and catches up; `validators add`
over the 1/3 cap is refused naming the cap; a valid election is proposed, a second one is refused up front,
a non-validator's vote is refused, two validators' votes conclude it, and the new node shows up in
Tendermint's and Planetmint's validator lists and signs blocks; `validators remove` brings the set back.

One network for the module (tests run in order and build on each other). The time from the first node's
start to the set being back is printed (`-s` shows it)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support.pmnet import api, new_node, pmw, start_node, stopped_at_exit, write_services
from tests.support.require import planetmint_venv
from tests.support.tmnet import wait_until

pytestmark = pytest.mark.e2e
CHAIN = "pmwizard-elections"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("elections")
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    started = time.monotonic()
    nodes = [new_node(base, f"node{i}") for i in range(4)]
    founders, joiner = nodes[:3], nodes[3]
    cards = [str(n.card) for n in founders]
    genesis = base / "genesis.json"
    created = pmw("genesis", "new", *cards, "--chain-id", CHAIN, "-o", str(genesis))
    assert "can get at most power 9" in created.stderr, created.stderr
    for n in founders:
        pmw("configure", "--genesis", str(genesis), "--peers", *cards, "--moniker", n.name, "--rpc-laddr",
            f"tcp://127.0.0.1:{n.ports['rpc']}", "--home", str(n.home), "--yes")
        write_services(n)
    with stopped_at_exit(nodes):
        for n in founders:
            start_node(n)
        tms = [n.tm for n in founders]
        wait_until(lambda: all(t.height() >= 2 for t in tms), 120, "the founders make blocks", tms)
        joined = pmw("join", "--from-rpc", founders[0].rpc_url, "--peers", *cards, str(joiner.card), "--moniker",
                     joiner.name, "--rpc-laddr", f"tcp://127.0.0.1:{joiner.ports['rpc']}", "--home",
                     str(joiner.home), "--yes")
        write_services(joiner)
        start_node(joiner)
        yield {"base": base, "nodes": nodes, "founders": founders, "joiner": joiner, "genesis": genesis,
               "cards": [*cards, str(joiner.card)], "planetmint": planetmint, "join_output": joined,
               "started": started}


def live(n, *extra: str) -> list[str]:
    return ["--rpc", n.rpc_url, "--api", n.api_url, *extra]


def pm_args(net, n) -> list[str]:
    return ["--key-file", str(n.key_file), "--planetmint-bin", net["planetmint"], "--planetmint-config",
            str(n.config), "--planetmint-timeout", "90"]


def test_the_new_node_joins_as_a_full_node_and_catches_up(net) -> None:
    joiner, genesis = net["joiner"], net["genesis"]
    installed = (joiner.home / "config/genesis.json").read_bytes()
    assert installed == genesis.read_bytes(), "the genesis from the member's RPC is the launched one, unchanged"
    assert "joins as a full node" in net["join_output"].stderr
    sha = json.loads(pmw("genesis", "validate", str(genesis), "--json").stdout)["sha256"]
    assert f"SHA-256 {sha}" in net["join_output"].stderr, "the fingerprint shown is the coordinator's"
    waited = pmw("join", "--wait", "--rpc", joiner.rpc_url, "--from-rpc", net["founders"][0].rpc_url,
                 "--wait-timeout", "120", "--json")
    doc = json.loads(waited.stdout)
    assert doc["caught_up"] is True and doc["catching_up"] is False and doc["height"] >= 2, doc
    assert joiner.tm.status()["validator_info"]["voting_power"] == "0", "not a validator yet"


def test_show_gives_the_set_the_cap_and_the_liveness_margin(net) -> None:
    n0 = net["founders"][0]
    doc = json.loads(pmw("validators", "show", *live(n0, "--cards", *net["cards"]), "--json").stdout)
    assert doc["chain_id"] == CHAIN and doc["total_power"] == 30 and doc["largest_allowed_power"] == 9
    assert sorted(m["name"] for m in doc["validators"]) == ["node0", "node1", "node2"]
    assert {m["node_id"] for m in doc["validators"]} == {n.node_id() for n in net["founders"]}
    assert doc["liveness"]["every_member_must_stay_up"] is True, "3 x 10: no member may be down"
    assert doc["planetmint_agrees"] is True and doc["elections_in_progress"] == []


def test_genesis_add_on_a_running_home_points_to_validators_add(net) -> None:
    n0 = net["founders"][0]
    r = pmw("genesis", "add", str(n0.home / "config/genesis.json"), str(net["joiner"].card), ok=(1,))
    assert "validators add" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_power_over_the_cap_is_refused_naming_the_cap(net) -> None:
    n0, joiner = net["founders"][0], net["joiner"]
    r = pmw("validators", "add", str(joiner.card), "--power", "10", *live(n0), *pm_args(net, n0), "--check",
            "--json", ok=(1,))
    doc = json.loads(r.stdout)
    over = [f for f in doc["findings"] if f["check"] == "election.power"]
    assert over[0]["code"] == "over_cap" and "largest power allowed now is 9" in over[0]["message"], over
    assert doc["election_id"] is None


def test_an_election_adds_the_new_member_who_then_signs_blocks(net, tmp_path: Path) -> None:
    n0, n1, n2 = net["founders"]
    joiner = net["joiner"]
    bundle = tmp_path / "bundle.json"
    r = pmw("validators", "add", str(joiner.card), "--power", "9", "--member-rpc", joiner.rpc_url, *live(n0),
            *pm_args(net, n0), "-o", str(bundle), "--yes", "--json")
    doc = json.loads(r.stdout)
    codes = {f["check"]: f["code"] for f in doc["findings"]}
    assert codes == {"election.card": "ok", "election.power": "ok", "election.ongoing": "none",
                     "election.proposer": "ok", "election.handshake": "ok", "election.caught_up": "ok"}, doc
    eid = doc["election_id"]
    saved = json.loads(bundle.read_text())
    assert saved["election_id"] == eid and saved["member"]["card"]["node_id"] == joiner.node_id()
    assert len(saved["set_after"]) == 4 and "priv_key" not in bundle.read_text()

    # a second election while this one runs is refused up front, by any validator
    second = pmw("validators", "remove", str(n2.card), *live(n1), *pm_args(net, n1), "--check", "--json", ok=(1,))
    ongoing = [f for f in json.loads(second.stdout)["findings"] if f["check"] == "election.ongoing"]
    assert ongoing[0]["code"] == "election_in_progress" and eid in ongoing[0]["message"]

    # the joiner's node has the election, but its key is not a voter's
    refused = pmw("validators", "vote", str(bundle), *live(joiner), *pm_args(net, joiner), "--yes", "--json",
                  ok=(1,))
    assert "not one of this election's voters" in json.loads(refused.stdout)["refused"]

    first = json.loads(pmw("validators", "vote", str(bundle), *live(n1), *pm_args(net, n1), "--yes",
                           "--json").stdout)
    assert first["voted"] is True and first["status"] == "ongoing" and first["approved_power"] == 10, first
    second_vote = json.loads(pmw("validators", "vote", eid, *live(n2), *pm_args(net, n2), "--yes", "--json").stdout)
    assert second_vote["voted"] is True and second_vote["status"] == "concluded", second_vote

    key = joiner.pub_key()

    def applied() -> dict | None:
        st = json.loads(pmw("validators", "status", eid, *live(n0), "--member", f"{n1.rpc_url},{n1.api_url}",
                            "--json").stdout)
        a = st.get("applied") or {}
        ok = a.get("tendermint_applied") and a.get("planetmint_applied") and a.get("member_signs_blocks")
        return st if ok else None

    st = wait_until(applied, 120, "the new validator is in both lists and signs", [n.tm for n in net["nodes"]])
    assert st["status"] == "concluded" and st["approved_power"] == 20 and st["power_needed"] == 20
    assert sorted(v["voted"] for v in st["voters"]) == [False, True, True]
    assert all(m["agree"] for m in st["applied"]["members"]), st["applied"]
    for n in net["nodes"]:  # every member's two lists now hold the new validator
        assert any(v["public_key"]["value"] == key and v["voting_power"] == 9 for v in api(n, "/api/v1/validators"))
        assert any(v["pub_key"]["value"] == key for v in n.tm.rpc("validators")["result"]["validators"])


def test_remove_brings_the_set_back(net, tmp_path: Path) -> None:
    n0, n1, n2 = net["founders"]
    joiner = net["joiner"]
    bundle = tmp_path / "remove.json"
    doc = json.loads(pmw("validators", "remove", str(joiner.card), *live(n0), *pm_args(net, n0), "-o", str(bundle),
                         "--yes", "--json").stdout)
    eid = doc["election_id"]
    for n in (n0, n1, n2):  # 39 power: 26 needed, so all three founders vote
        pmw("validators", "vote", str(bundle), *live(n), *pm_args(net, n), "--yes", "--json")

    def back() -> bool:
        tm = {v["pub_key"]["value"] for v in n0.tm.rpc("validators")["result"]["validators"]}
        pm = {v["public_key"]["value"] for v in api(n0, "/api/v1/validators")}
        return tm == pm == {n.pub_key() for n in (n0, n1, n2)}

    wait_until(back, 120, "the set is back to the three founders", [n.tm for n in net["nodes"]])
    st = json.loads(pmw("validators", "status", eid, *live(n0), "--json").stdout)
    assert st["status"] == "concluded" and st["applied"]["tendermint_applied"] is True
    print(f"\nelections e2e: {time.monotonic() - net['started']:.0f} s from the first node to the set back")
