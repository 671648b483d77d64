"""`pmwizard validators` and `pmwizard join` as commands, against the demo network on loopback (a server
answering Tendermint's RPC and Planetmint's API in their shapes, and a stand-in planetmint program that the
commands run as they run Planetmint's CLI). The real network is in tests/e2e/test_validators.py; here: the
--json shapes, refusals with one clear line, no private key in any output or bundle, and the guards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmwizard.demo import Sandbox
from tests.hardening.test_no_key_leak import secret_forms


@pytest.fixture()
def sb(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(tmp_path / "sandbox") as s:
        s.network.others_vote = False  # the other demo members do not vote by themselves here: the test votes
        yield s


def pmw(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ), check=False)


def live(sb: Sandbox) -> list[str]:
    return ["--rpc", sb.network.url, "--api", sb.network.url, "--cards", str(sb.cards_dir), str(sb.newcomer_card)]


def planetmint(sb: Sandbox, member: int = 0) -> list[str]:
    key = sb.root / "members" / f"m{member}" / "config" / "priv_validator_key.json"
    return ["--key-file", str(key), "--planetmint-bin", str(sb.network.program), "--planetmint-config",
            str(sb.network.config), "--planetmint-timeout", "30"]


def test_show_json_shape(sb: Sandbox) -> None:
    r = pmw("validators", "show", *live(sb), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"chain_id", "height", "validators", "total_power", "largest_allowed_power",
                        "power_needed_for_an_election", "liveness", "planetmint_agrees", "elections_in_progress"}
    assert doc["total_power"] == 30 and doc["largest_allowed_power"] == 9 and doc["power_needed_for_an_election"] == 20
    assert {m["name"] for m in doc["validators"]} == {"Alice's Node Shop", "Bob Validators", "Carol Consortium"}
    assert set(doc["validators"][0]) == {"name", "address", "pub_key", "node_id", "power", "share"}


def test_over_the_cap_is_refused_and_nothing_is_proposed(sb: Sandbox, tmp_path: Path) -> None:
    r = pmw("validators", "add", str(sb.newcomer_card), "--power", "10", *live(sb), *planetmint(sb),
            "--nameserver", sb.context.nameservers[0], "-o", str(tmp_path / "b.json"), "--yes")
    assert r.returncode == 1 and "largest power allowed now is 9" in r.stdout and "refused" in r.stdout
    assert not (tmp_path / "b.json").exists() and not sb.network._txs()


def test_propose_vote_status_and_no_key_in_any_output(sb: Sandbox, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    r = pmw("validators", "add", str(sb.newcomer_card), "--power", "9", *live(sb), *planetmint(sb),
            "--nameserver", sb.context.nameservers[0], "-o", str(bundle), "--yes", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["election_id"] and doc["bundle"] == str(bundle) and doc["summary"]["fail"] == 0
    outputs = [r.stdout + r.stderr, bundle.read_text()]

    # a second election while this one is open: refused up front, naming it
    r = pmw("validators", "set-power", str(sb.cards_dir / "bob.demo.test.json"), "--power", "5", *live(sb),
            *planetmint(sb), "--check")
    assert r.returncode == 1 and "an election is in progress" in r.stdout and doc["election_id"] in r.stdout

    # Dave's key is no voter; Alice's is
    dave = sb.root / "members" / "dave" / "config" / "priv_validator_key.json"
    r = pmw("validators", "vote", str(bundle), *live(sb), *planetmint(sb), "--key-file", str(dave), "--yes")
    assert r.returncode == 1 and "is not one of this election's voters" in r.stdout
    r = pmw("validators", "vote", str(bundle), *live(sb), *planetmint(sb), "--yes", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    vote = json.loads(r.stdout)
    assert vote["voted"] is True and vote["election"]["power_needed"] == 20 and vote["status"] == "ongoing", vote
    assert vote["approved_power"] == 10
    outputs.append(r.stdout + r.stderr)
    r = pmw("validators", "vote", doc["election_id"], *live(sb), *planetmint(sb, 1), "--yes")
    assert r.returncode == 0 and "the election is concluded" in r.stdout, r.stdout + r.stderr
    r = pmw("validators", "status", str(bundle), *live(sb), "--wait", "20", "--json")
    st = json.loads(r.stdout)
    assert st["status"] == "concluded" and st["approved_power"] >= 20 and st["applied"]["tendermint_applied"]
    assert {v["name"] for v in st["voters"] if v["voted"]} == {"Alice's Node Shop", "Bob Validators"}
    outputs.append(r.stdout + r.stderr)
    for home in [sb.root / "members" / f"m{i}" for i in range(3)] + [sb.root / "members" / "dave"]:
        for secret in secret_forms(home):
            assert not any(secret in text for text in outputs)


def test_a_tampered_bundle_is_refused_before_voting(sb: Sandbox, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    r = pmw("validators", "add", str(sb.newcomer_card), "--power", "9", *live(sb), *planetmint(sb),
            "--nameserver", sb.context.nameservers[0], "-o", str(bundle), "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(bundle.read_text())
    doc["member"]["power"] = 3
    bundle.write_text(json.dumps(doc))
    r = pmw("validators", "vote", str(bundle), *live(sb), *planetmint(sb, 1), "--yes")
    assert r.returncode == 1 and "power: bundle 3, chain 9" in r.stdout
    bundle.write_text("{not json")
    r = pmw("validators", "vote", str(bundle), *live(sb), *planetmint(sb, 1), "--yes")
    assert r.returncode == 1 and r.stderr.startswith(f"pmwizard: {bundle}: not JSON") and "Traceback" not in r.stderr


def test_unreachable_node_is_one_line(tmp_path: Path) -> None:
    from tests.support.ports import free_port

    url = f"http://127.0.0.1:{free_port()}"
    r = pmw("validators", "show", "--rpc", url, "--api", url, "--timeout", "2")
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "connection refused" in r.stderr


def _home_with_genesis(tmp_path: Path, sb: Sandbox) -> tuple[Path, Path]:
    home = tmp_path / "joiner"
    assert pmw("identity", "init", "--home", str(home)).returncode == 0
    genesis = tmp_path / "genesis.json"
    r = pmw("genesis", "new", *[str(p) for p in sorted(sb.cards_dir.glob("*.json"))], "-o", str(genesis))
    assert r.returncode == 0 and "can get at most power 9" in r.stderr, r.stderr
    return home, genesis


def test_join_installs_the_genesis_unchanged_and_refuses_another_fingerprint(sb: Sandbox, tmp_path: Path) -> None:
    home, genesis = _home_with_genesis(tmp_path, sb)
    r = pmw("join", "--genesis", str(genesis), "--peers", str(sb.cards_dir), "--home", str(home),
            "--expect-sha256", "ab" * 32, "--yes")
    assert r.returncode == 1 and "do not join until the two agree" in r.stderr
    assert not (home / "config" / "genesis.json").exists()
    r = pmw("join", "--genesis", str(genesis), "--peers", str(sb.cards_dir), "--home", str(home), "--yes")
    assert r.returncode == 0 and "joins as a full node" in r.stderr, r.stderr
    assert (home / "config" / "genesis.json").read_bytes() == genesis.read_bytes()


def test_genesis_add_refuses_a_genesis_in_use(sb: Sandbox, tmp_path: Path) -> None:
    home, genesis = _home_with_genesis(tmp_path, sb)
    assert pmw("join", "--genesis", str(genesis), "--peers", str(sb.cards_dir), "--home", str(home),
               "--yes").returncode == 0
    installed = home / "config" / "genesis.json"
    ok = pmw("genesis", "add", str(installed), str(sb.newcomer_card))
    assert ok.returncode == 0, "no blocks yet: the coordinator may still add members"
    (home / "data" / "blockstore.db").mkdir(parents=True)
    (home / "data" / "blockstore.db" / "000001.log").write_bytes(b"blocks")
    r = pmw("genesis", "add", str(installed), str(sb.newcomer_card), "-o", str(installed))
    assert r.returncode == 1 and "pmwizard validators add" in r.stderr and "Traceback" not in r.stderr
    assert installed.read_bytes() == genesis.read_bytes()


def test_only_a_current_validators_key_may_propose(sb: Sandbox, tmp_path: Path) -> None:
    dave = sb.root / "members" / "dave" / "config" / "priv_validator_key.json"
    r = pmw("validators", "add", str(sb.newcomer_card), "--power", "5", *live(sb), *planetmint(sb), "--key-file",
            str(dave), "--nameserver", sb.context.nameservers[0], "--check", "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    proposer = [f for f in json.loads(r.stdout)["findings"] if f["check"] == "election.proposer"]
    assert proposer[0]["code"] == "not_a_validator" and "InvalidProposer" in proposer[0]["message"]
    r = pmw("validators", "add", str(sb.cards_dir / "bob.demo.test.json"), "--power", "5", *live(sb),
            *planetmint(sb), "--check")
    assert r.returncode == 1 and "already a validator; use `validators set-power`" in r.stderr
