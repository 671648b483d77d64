"""`pmwizard genesis new|add|validate` and `configure` as a coordinator and members run them: exit codes,
--json shape, the fingerprint, --check printing exactly what --yes writes, bad input changing nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.support.clinet import cli_network

FIXTURES = Path(__file__).parents[1] / "fixtures"


def pmw(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ), check=False)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return cli_network(tmp_path_factory.mktemp("net"), 3, in_genesis=2)


def test_genesis_new_prints_the_fingerprint_of_the_file(network) -> None:
    digest = hashlib.sha256(network["genesis"].read_bytes()).hexdigest()
    assert f"SHA-256 {digest}" in network["stderr"]
    r = pmw("genesis", "validate", "--json", str(network["genesis"]))
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["valid"] and doc["sha256"] == digest and doc["errors"] == []
    assert {"valid", "errors", "warnings", "sha256"} <= set(doc)


def test_genesis_to_stdout_is_the_document(network) -> None:
    r = pmw("genesis", "new", str(network["cards"][0]), "--genesis-time", "2026-11-23T08:00:00Z")
    assert r.returncode == 0 and json.loads(r.stdout)["genesis_time"] == "2026-11-23T08:00:00Z"
    assert hashlib.sha256(r.stdout.encode()).hexdigest() in r.stderr


def test_genesis_add_and_its_refusals(network, tmp_path: Path) -> None:
    out = tmp_path / "grown.json"
    r = pmw("genesis", "add", str(network["genesis"]), str(network["cards"][2]), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert len(json.loads(out.read_text())["validators"]) == 3
    r = pmw("genesis", "add", str(network["genesis"]), str(network["cards"][0]), "-o", str(tmp_path / "x.json"))
    assert r.returncode == 1 and "pub_key" in r.stderr and not (tmp_path / "x.json").exists()


def test_validate_invalid_and_docs_conversion(tmp_path: Path) -> None:
    bad = FIXTURES / "tendermint/genesis-cases/invalid_src16_power_over_max.json"
    r = pmw("genesis", "validate", "--json", str(bad))
    assert r.returncode == 1 and not json.loads(r.stdout)["valid"]
    docs = FIXTURES / "planetmint-docs-genesis.json"
    converted = tmp_path / "converted.json"
    r = pmw("genesis", "validate", str(docs), "--convert", str(converted))
    assert r.returncode == 1 and "block_size_params" in r.stdout
    assert pmw("genesis", "validate", str(converted)).returncode == 0


def test_configure_check_is_exactly_what_yes_writes(network) -> None:
    home = network["homes"][0]
    args = ["configure", "--genesis", str(network["genesis"]), "--peers", *map(str, network["cards"][:2]),
            "--moniker", 'n0 "first"', "--rpc-laddr", "tcp://127.0.0.1:26900", "--home", str(home)]
    before = sorted(p.name for p in (home / "config").iterdir())
    check = pmw(*args, "--check")
    assert check.returncode == 0 and sorted(p.name for p in (home / "config").iterdir()) == before
    assert pmw(*args, "--yes").returncode == 0
    config = (home / "config/config.toml").read_text()
    for line in config.splitlines():
        assert f"+{line}" in check.stdout.splitlines()
    assert (home / "config/genesis.json").read_bytes() == network["genesis"].read_bytes()
    doc = tomllib.loads(config)
    assert doc["moniker"] == 'n0 "first"' and doc["p2p"]["laddr"] == "tcp://0.0.0.0:26700"
    peers = doc["p2p"]["persistent_peers"].split(",")
    assert len(peers) == 1 and peers[0].endswith("@127.0.0.1:26701"), "every card but this node's"
    assert doc["p2p"]["addr_book_strict"] is False and doc["p2p"]["allow_duplicate_ip"] is True
    assert "addr_book_strict = false: peers have private or loopback addresses" in check.stdout
    assert pmw(*args, "--check").stdout == "nothing to change\n"


@pytest.mark.parametrize(("extra", "words"), [
    (["--moniker", "caf\u00e9"], "moniker"), (["--log-level", "warn"], "log_level"),
    (["--rpc-laddr", "127.0.0.1:1"], "laddr")])
def test_configure_bad_values_write_nothing(network, extra: list[str], words: str) -> None:
    home = network["homes"][1]
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    r = pmw("configure", "--genesis", str(network["genesis"]), "--home", str(home), *extra, "--yes")
    assert r.returncode == 1 and words in r.stderr and "Traceback" not in r.stderr
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before


def test_configure_refuses_an_invalid_genesis(network) -> None:
    home = network["homes"][2]
    bad = FIXTURES / "tendermint/genesis-cases/invalid_src15_duplicate_validator.json"
    r = pmw("configure", "--genesis", str(bad), "--home", str(home), "--yes")
    assert r.returncode == 1 and "duplicate entry" in r.stderr and not (home / "config/genesis.json").exists()
