"""doctor over three members on loopback: real Knot, real TLS servers, a real Tendermint node.
Member 1 is healthy; members 2 and 3 share a certificate that lacks the round-robin name; node3's
consortium CNAME points at the wrong member; member 2's RPC is not reachable (only a warning)."""

from __future__ import annotations

import asyncio

import pytest

from pmwizard.checks.doctor import DoctorTarget, member_targets, parse_rpc_options, run_doctor
from pmwizard.checks.finding import Finding, Status
from pmwizard.errors import InputError
from tests.support.faults import refused_port
from tests.support.pki import TestPKI
from tests.support.tlsserver import tls_server

from .coverage import seen

pytestmark = pytest.mark.servers


def by(findings: list[Finding], member: str, check: str) -> list[Finding]:
    return [f for f in findings if f.evidence.get("member") == member and f.check == check]


async def test_doctor_three_members(knot, tendermint, tmp_path) -> None:
    pki = TestPKI()
    root = pki.write_root(tmp_path / "root.pem")
    c1, k1 = pki.leaf(["m1.net.test", "node1.consortium.test", "consortium.test"]).write(tmp_path, "m1")
    c2, k2 = pki.leaf(["m2.net.test", "m3.net.test", "node2.consortium.test", "node3.consortium.test"]).write(
        tmp_path, "m23")
    streamed: list[Finding] = []
    with tls_server(c1, k1) as s1, tls_server(c2, k2) as s2, tls_server(c2, k2) as s3, refused_port() as closed:
        rr = ("consortium.test",)
        targets = [
            DoctorTarget("m1", "m1.net.test", p2p_port=tendermint["p2p"], node_id=tendermint["node_id"],
                         rpc_url=tendermint["rpc"], tls_names=("node1.consortium.test", *rr),
                         cname_name="node1.consortium.test", tls_port=s1.port, api_http_port=closed),
            DoctorTarget("m2", "m2.net.test", p2p_port=closed, node_id="ab" * 20,
                         tls_names=("node2.consortium.test", *rr), cname_name="node2.consortium.test",
                         tls_port=s2.port, api_http_port=closed),
            DoctorTarget("m3", "m3.net.test", p2p_port=closed, tls_names=("node3.consortium.test", *rr),
                         cname_name="node3.consortium.test", tls_port=s3.port, api_http_port=closed),
        ]
        findings = seen(await run_doctor(targets, chain_id=tendermint["chain_id"], nameservers=[knot.nameserver],
                                         ca_file=str(root), timeout=3.0, concurrency=2, round_robin="consortium.test",
                                         on_finding=streamed.append))
    assert streamed and len(streamed) == len(findings), "every finding is streamed as it is found"
    assert {f.to_json()["target"] for f in streamed} == {f.target for f in findings}
    # member 1: all good where it matters
    assert by(findings, "m1", "rpc.status")[0].code == "ok"
    assert by(findings, "m1", "net.p2p")[0].code == "open"
    assert {f.code for f in by(findings, "m1", "tls.name")} == {"ok"}
    assert by(findings, "m1", "tls.shared")[0].code == "ok"
    assert [f.code for f in by(findings, "m1", "dns.cname")] == ["ok"]
    # members 2 and 3 share one certificate
    shared = {f.evidence["member"]: f for f in findings if f.check == "tls.shared" and f.code == "shared"}
    assert set(shared) == {"m2", "m3"} and shared["m2"].evidence["shared_with"] == ["m3"]
    # the round-robin name is missing from that certificate
    rr_bad = [f for f in by(findings, "m2", "tls.name") if f.code == "mismatch"]
    assert [f.evidence["name"] for f in rr_bad] == ["consortium.test"]
    # node3's CNAME points at m1
    wrong = by(findings, "m3", "dns.cname")[0]
    assert (wrong.code, wrong.status) == ("wrong_target", Status.FAIL)
    assert "node3.consortium.test. 3600 IN CNAME m3.net.test." in wrong.fix
    # member 2: RPC guessed at http://ADDRESS:26657 and silent -> a warning, not a failure
    rpc2 = by(findings, "m2", "rpc.status")[0]
    assert (rpc2.status, rpc2.code) == (Status.WARN, "unreachable")
    assert by(findings, "m2", "net.p2p")[0].code == "closed"
    # the round-robin name itself was checked
    assert [f for f in findings if f.evidence.get("member") == "consortium.test" and f.check == "dns.a"]


async def test_a_check_that_crashes_is_reported_not_raised() -> None:
    async def broken(t, ctx):
        raise RuntimeError("boom")

    async def fine(t, ctx):
        await asyncio.sleep(0)
        return [Finding("p2p.handshake", t.name, Status.PASS, "ok", "added by another module")]

    found = await run_doctor([DoctorTarget("x", None)], checks=[("broken", broken), ("p2p.handshake", fine)])
    assert [(f.check, f.status) for f in found] == [("broken", Status.ERROR), ("p2p.handshake", Status.PASS)]


def test_targets_from_cards_and_rpc_option() -> None:
    class Card:
        def __init__(self, name: str, hostname: str, node_id: str) -> None:
            self.name, self.hostname, self.node_id, self.p2p_port = name, hostname, node_id, 26656

    rpc = parse_rpc_options(["B=http://10.0.0.2:26657", f"{'cd' * 20}=http://10.0.0.3:26657"])
    targets = member_targets([Card("a", "a.org", "ab" * 20), Card("b", "b.org", "00" * 20),
                              Card("c", "c.org", "cd" * 20)], consortium_domain="Cons.Org.", rpc=rpc,
                             round_robin="cons.org")
    assert [t.cname_name for t in targets] == ["node1.cons.org", "node2.cons.org", "node3.cons.org"]
    assert targets[0].tls_names == ("node1.cons.org", "cons.org")
    assert [t.rpc_url for t in targets] == [None, "http://10.0.0.2:26657", "http://10.0.0.3:26657"]
    with pytest.raises(InputError, match="--rpc"):
        parse_rpc_options(["node1:26657"])


async def test_doctor_local_node(tendermint, tarantool) -> None:
    with refused_port() as closed:
        local = DoctorTarget("this node", None, p2p_port=tendermint["p2p"], rpc_url=tendermint["rpc"],
                             local=True, tarantool_port=tarantool, tls_port=closed, api_http_port=closed)
        found = seen(await run_doctor([local], chain_id=tendermint["chain_id"], timeout=3.0))
    codes = {f.check: f.code for f in found if f.check != "p2p.handshake"}  # that one is another module's
    assert codes == {"net.p2p": "open", "rpc.status": "ok", "tarantool": "ok", "api.planetmint": "unreachable",
                     "node.peers": "ok", "node.blocks": "ok"}  # a one-validator chain: no peers needed


def test_doctor_cli_local_json(tendermint, tarantool) -> None:
    import json
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "pmwizard", "doctor", "--rpc", f"local={tendermint['rpc']}",
                        "--p2p-port", str(tendermint["p2p"]), "--tarantool-port", str(tarantool), "--timeout", "2",
                        "--json"], capture_output=True, text=True, timeout=60, check=False)
    doc = json.loads(r.stdout)
    codes = {f["check"]: f["code"] for f in doc["findings"]}
    assert codes["rpc.status"] == "ok" and codes["net.p2p"] == "open" and codes["tarantool"] == "ok"
    assert r.returncode == (1 if doc["summary"]["fail"] + doc["summary"]["error"] else 0)


def test_doctor_cli_local_compares_with_the_homes_key_and_genesis(tendermint, tmp_path) -> None:
    """Without cards, doctor knows this node from its home: the handshake must prove the home's node key and
    the chain of its genesis.json; a home holding another key is a node_id_mismatch."""
    import json
    import subprocess
    import sys

    from pmwizard.core import keys

    def local(home) -> dict:
        r = subprocess.run([sys.executable, "-m", "pmwizard", "doctor", "--home", str(home), "--rpc",
                            f"local={tendermint['rpc']}", "--p2p-port", str(tendermint["p2p"]), "--timeout", "2",
                            "--json"], capture_output=True, text=True, timeout=60, check=False)
        return {f["check"]: f for f in json.loads(r.stdout)["findings"]}

    found = local(tendermint["home"])
    hs = found["p2p.handshake"]
    assert hs["code"] == "ok" and hs["evidence"]["expected_node_id"] == tendermint["node_id"]
    assert hs["evidence"]["expected_chain_id"] == tendermint["chain_id"]
    other = tmp_path / "other"
    keys.init_plan(other).apply()
    found = local(other)
    assert found["p2p.handshake"]["code"] == "node_id_mismatch"
    assert found["rpc.status"]["code"] == "node_id_mismatch"


def test_doctor_cli_with_genesis_and_cards(knot, tendermint, tmp_path) -> None:
    """`pmwizard doctor --genesis G CARD` end to end: the genesis and the card come from a real
    `tendermint init`; the card (three values, unsigned) names m1.net.test, which Knot resolves to loopback."""
    import json
    import subprocess
    import sys

    pytest.importorskip("pmwizard.core.cards", reason="core.cards has not landed yet")
    pytest.importorskip("pmwizard.core.genesis", reason="core.genesis has not landed yet")
    home = tendermint["home"]
    pub = json.loads((home / "config" / "priv_validator_key.json").read_text())["pub_key"]["value"]
    card = tmp_path / "m1.txt"
    card.write_text(f"{tendermint['node_id']}@m1.net.test:{tendermint['p2p']} {pub}\n")
    r = subprocess.run([sys.executable, "-m", "pmwizard", "doctor", "--genesis", str(home / "config" / "genesis.json"),
                        str(card), "--nameserver", knot.nameserver, "--rpc", f"m1.net.test={tendermint['rpc']}",
                        "--timeout", "2", "--json"], capture_output=True, text=True, timeout=60, check=False)
    assert r.stdout, r.stderr
    found = json.loads(r.stdout)["findings"]
    codes = {f["check"]: f["code"] for f in found}
    assert codes["rpc.status"] == "ok" and codes["net.p2p"] == "open" and codes["dns.a"] == "private"


async def test_members_run_concurrently_under_the_pool_bound() -> None:
    running, peak = 0, 0
    gate = asyncio.Event()

    async def hold(t, ctx):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        if peak == 3:
            gate.set()
        await asyncio.wait_for(gate.wait(), 5)
        running -= 1
        return [Finding("p2p.handshake", t.name, Status.PASS, "ok", "held")]

    targets = [DoctorTarget(f"m{i}", None) for i in range(7)]
    order: list[str] = []
    found = await run_doctor(targets, concurrency=3, checks=[("hold", hold)],
                             on_finding=lambda f: order.append(f.evidence["member"]))
    assert peak == 3, "three members at once, never more"
    assert [f.evidence["member"] for f in found] == [f"m{i}" for i in range(7)], "returned in the targets' order"
    assert sorted(order) == sorted(f"m{i}" for i in range(7))
