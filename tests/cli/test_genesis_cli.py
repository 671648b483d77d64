"""`pmwizard genesis new|add|validate` run as a coordinator runs them (subprocess `python -m pmwizard`):
stdout is exactly the document or the JSON, the fingerprint on stderr is of those bytes, exit codes 0/1/2,
errors name the file and field, unsigned cards warn, invalid cards and duplicates write nothing."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmwizard.core import cards, keys

FIXTURES = Path(__file__).parents[1] / "fixtures"
CASES = FIXTURES / "tendermint/genesis-cases"


def pmw(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *map(str, argv)], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ), check=False)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("members")
    out = {"base": base, "cards": [], "made": []}
    for i in range(4):
        home = base / f"h{i}"
        keys.init_plan(home).apply()
        card = cards.export_card(home, f"node{i}.example.org", name=f"Member {i}")
        path = base / f"card{i}.json"
        path.write_text(cards.card_text(card))
        out["cards"].append(path)
        out["made"].append(card)
    unsigned = base / "three-values.txt"
    c = out["made"][3]
    unsigned.write_text(f"{c.hostname} {c.pub_key} {c.node_id}\n")
    out["unsigned"] = unsigned
    tampered = base / "tampered.json"
    doc = json.loads(out["cards"][2].read_text())
    doc["name"] = "Someone Else"
    tampered.write_text(json.dumps(doc))
    out["tampered"] = tampered
    return out


def test_new_prints_the_document_and_its_fingerprint(members) -> None:
    r = pmw("genesis", "new", *members["cards"][:2], "--chain-id", "pm-cli", "--genesis-time",
            "2026-11-23T08:00:00.500000000Z", "--power", "7")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["chain_id"] == "pm-cli" and doc["genesis_time"] == "2026-11-23T08:00:00.5Z", "written as Go writes it"
    assert [v["power"] for v in doc["validators"]] == ["7", "7"]
    assert [v["address"] for v in doc["validators"]] == [c.address for c in members["made"][:2]]
    assert f"SHA-256 {sha(r.stdout)}" in r.stderr, "the fingerprint is of exactly the bytes printed"


def test_new_to_a_file_keeps_the_previous_version(members, tmp_path: Path) -> None:
    out = tmp_path / "genesis.json"
    r = pmw("genesis", "new", members["cards"][0], "-o", out)
    assert r.returncode == 0 and r.stdout == "" and f"wrote {out}" in r.stderr
    assert f"SHA-256 {sha(out.read_bytes())}" in r.stderr
    first = out.read_bytes()
    r = pmw("genesis", "new", members["cards"][1], "-o", out)
    assert r.returncode == 0 and "previous version kept as" in r.stderr
    backup = r.stderr.split("previous version kept as ")[1].split(")")[0]
    assert Path(backup).read_bytes() == first and out.read_bytes() != first


def test_unsigned_values_warn_and_invalid_cards_refuse(members, tmp_path: Path) -> None:
    r = pmw("genesis", "new", members["cards"][0], members["unsigned"])
    assert r.returncode == 0 and f"{members['unsigned']}" in r.stderr and "unsigned" in r.stderr
    assert len(json.loads(r.stdout)["validators"]) == 2
    out = tmp_path / "g.json"
    r = pmw("genesis", "new", members["cards"][0], members["tampered"], "-o", out)
    assert r.returncode == 1 and str(members["tampered"]) in r.stderr and "signature" in r.stderr
    assert not out.exists() and r.stdout == ""
    r = pmw("genesis", "new", members["cards"][0], members["cards"][0])
    assert r.returncode == 1 and "pub_key" in r.stderr and r.stdout == ""


@pytest.mark.parametrize(("extra", "words"), [
    (["--genesis-time", "2026-11-23T08:00:00+01:00"], "genesis_time"),
    (["--genesis-time", "0001-01-01T00:00:00Z"], "zero time"),
    (["--genesis-time", "2026-02-30T00:00:00Z"], "day out of range"),
    (["--chain-id", "x" * 51], "chain_id"), (["--chain-id", "two words"], "chain_id"), (["--power", "0"], "power"),
])
def test_new_bad_options_exit_1_naming_the_field(members, extra: list[str], words: str) -> None:
    r = pmw("genesis", "new", members["cards"][0], *extra)
    assert r.returncode == 1 and words in r.stderr and r.stdout == ""


@pytest.mark.parametrize("argv", [["genesis", "new"], ["genesis", "add", "g.json"], ["genesis", "validate"],
                                  ["genesis", "frobnicate"], ["genesis", "new", "c.json", "--power", "ten"]])
def test_usage_errors_exit_2(argv: list[str]) -> None:
    assert pmw(*argv).returncode == 2


def test_add_members_in_place_and_refuse_duplicates(members, tmp_path: Path) -> None:
    genesis = tmp_path / "genesis.json"
    assert pmw("genesis", "new", *members["cards"][:2], "--chain-id", "pm-add", "-o", genesis).returncode == 0
    before = genesis.read_bytes()
    r = pmw("genesis", "add", genesis, members["cards"][2], "--power", "3", "-o", genesis)
    assert r.returncode == 0 and "previous version kept as" in r.stderr, r.stderr
    doc = json.loads(genesis.read_text())
    assert [v["name"] for v in doc["validators"]] == ["Member 0", "Member 1", "Member 2"]
    assert doc["validators"][2]["power"] == "3" and doc["chain_id"] == "pm-add"
    assert json.loads(before)["genesis_time"] == doc["genesis_time"]
    grown = genesis.read_bytes()
    r = pmw("genesis", "add", genesis, members["cards"][1], "-o", genesis)
    assert r.returncode == 1 and f"{genesis}: pub_key" in r.stderr and genesis.read_bytes() == grown
    renamed = tmp_path / "renamed.json"
    renamed.write_text(cards.card_text(cards.export_card(members["base"] / "h3", "node3.example.org",
                                                         name="member 0")))
    r = pmw("genesis", "add", genesis, renamed)
    assert r.returncode == 1 and f"{genesis}: name" in r.stderr and r.stdout == ""
    r = pmw("genesis", "add", CASES / "invalid_src13_power_zero.json", members["cards"][3])
    assert r.returncode == 1 and "invalid_src13_power_zero.json" in r.stderr and "no voting power" in r.stderr
    r = pmw("genesis", "add", tmp_path / "missing.json", members["cards"][3])
    assert r.returncode == 1 and "missing.json: does not exist" in r.stderr


def test_validate_text_and_json(members) -> None:
    good = CASES / "valid_src01_full_default.json"
    r = pmw("genesis", "validate", good)
    assert r.returncode == 0 and r.stdout.startswith(f"valid: {good}")
    assert f"SHA-256 {sha(good.read_bytes())}" in r.stdout
    r = pmw("genesis", "validate", "--json", good)
    doc = json.loads(r.stdout)
    assert r.returncode == 0 and doc["valid"] and doc["sha256"] == sha(good.read_bytes()) and r.stderr == ""
    assert {"valid", "errors", "warnings", "sha256"} <= set(doc)
    bad = CASES / "invalid_src15_duplicate_validator.json"
    r = pmw("genesis", "validate", "--json", bad)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and not doc["valid"] and "duplicate entry" in doc["errors"][0]
    assert doc["errors"][0].startswith(f"{bad}: validators[1].pub_key: ")
    r = pmw("genesis", "validate", "--json", "/nonexistent/genesis.json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and not doc["valid"] and "does not exist" in doc["errors"][0]
    r = pmw("genesis", "validate", "/nonexistent/genesis.json")
    assert r.returncode == 1 and r.stderr.startswith("pmwizard: /nonexistent/genesis.json: does not exist")


def test_validate_explains_the_docs_example_and_converts_it(tmp_path: Path) -> None:
    docs = FIXTURES / "planetmint-docs-genesis.json"
    r = pmw("genesis", "validate", docs)
    assert r.returncode == 1 and r.stdout.startswith(f"INVALID: {docs}")
    errors = [line for line in r.stdout.splitlines() if line.startswith("  error: ")]
    assert len(errors) == 6, "one line per problem"
    for words in ('unknown type "AC26791624DE60"', "block_size_params", "validators[1].power: is the number 10",
                  'under "data"', f"genesis validate {docs} --convert NEW_FILE"):
        assert words in r.stdout, words
    converted = tmp_path / "genesis.json"
    r = pmw("genesis", "validate", docs, "--convert", converted)
    assert r.returncode == 1 and f"SHA-256 {sha(converted.read_bytes())}" in r.stderr
    r = pmw("genesis", "validate", converted)
    assert r.returncode == 0 and "A3258DCBF45DCA0DF052981870F2D1441A36D145  power 10  member-1" in r.stdout
    r = pmw("genesis", "validate", CASES / "valid_src01_full_default.json", "--convert", tmp_path / "x.json")
    assert r.returncode == 0 and "nothing to convert" in r.stderr and not (tmp_path / "x.json").exists()
