"""Genesis documents: Tendermint 0.34's 65 cases give the outcome their README states (with Tendermint's
wording), new ones have Tendermint's layout, members are added without duplicates, and the Planetmint docs'
example is explained problem by problem and converted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pmwizard.core import cards, keys
from pmwizard.core.genesis import (
    MAX_GENESIS_BYTES,
    add_to_genesis,
    fingerprint,
    new_genesis,
    random_chain_id,
    read_genesis,
    validate_genesis,
)
from pmwizard.errors import InputError

FIXTURES = Path(__file__).parents[1] / "fixtures"
CASES = FIXTURES / "tendermint/genesis-cases"


def expectations() -> dict[str, str]:
    rows = {}
    for line in (CASES / "README.md").read_text().splitlines():
        m = re.match(r"\| (\S+\.json) \| (.*?) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = m.group(3)
    return rows


EXPECTED = expectations()


def key_phrase(expected: str) -> str:
    """The README's key phrase for an invalid case: the longest quoted Go error text, cut at its '...' /
    '{...}' elisions; without quotes, the text before '...' or else the parenthesised Go text."""
    quoted = [q.replace('\\"', '"') for q in re.findall(r'"((?:[^"\\]|\\.)*)"', expected)]
    if quoted:
        phrase = max(quoted, key=len).removeprefix("... ")
    elif " ..." in expected:
        phrase = expected.split(" ...")[0]
    else:
        phrase = re.findall(r"\(([^)]*)\)", expected)[0]
    for cut in ("{...}", "..."):
        phrase = phrase.split(cut)[0]
    return phrase.strip()


def test_all_65_cases_are_listed() -> None:
    assert len(EXPECTED) == 65 and sorted(EXPECTED) == sorted(p.name for p in CASES.glob("*.json"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tendermint_case(name: str) -> None:
    report = read_genesis(CASES / name)
    assert report.valid == name.startswith("valid_"), report.errors
    assert report.sha256 == fingerprint((CASES / name).read_bytes())
    if not report.valid:
        phrase = key_phrase(EXPECTED[name])
        assert len(phrase) >= 15, (name, phrase)
        assert len(report.errors) == 1 and report.errors[0].startswith(f"{CASES / name}: ")
        assert phrase in report.errors[0], (phrase, report.errors)


def test_key_phrases_are_read_from_the_readme() -> None:
    assert key_phrase(EXPECTED["invalid_gt02_junk_bytes.json"]) == \
        "invalid character '\\x01' looking for beginning of value"
    assert key_phrase(EXPECTED["invalid_src05_address_wrong_length.json"]) == "incorrect address"
    assert key_phrase(EXPECTED["invalid_src20_validator_without_pub_key.json"]) == "nil pointer dereference"
    assert key_phrase(EXPECTED["invalid_gt04_empty_validator.json"]) == \
        "the genesis file cannot contain validators with no voting power:"


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> list[cards.MemberCard]:
    out = []
    for i in range(3):
        home = tmp_path_factory.mktemp(f"m{i}")
        keys.init_plan(home).apply()
        out.append(cards.export_card(home, f"node{i}.example.org", name=f"Member <{i}> & Co"))
    return out


def test_new_genesis_has_tendermints_layout(members) -> None:
    text = new_genesis(members, chain_id="planetmint-abc123", genesis_time="2026-11-23T08:00:00.123456789Z")
    doc = json.loads(text)
    reference = json.loads((CASES / "valid_src01_full_default.json").read_text())
    assert list(doc) == list(reference) and doc["consensus_params"] == reference["consensus_params"]
    assert list(doc["validators"][0]) == ["address", "pub_key", "power", "name"]
    assert doc["validators"][0]["power"] == "10" and doc["initial_height"] == "1"
    assert doc["validators"][0]["address"] == members[0].address
    assert doc["genesis_time"] == "2026-11-23T08:00:00.123456789Z"
    assert text.startswith('{\n  "genesis_time"') and not text.endswith("\n")
    assert "\\u003c0\\u003e \\u0026 Co" in text, "Go's HTML-safe escapes, as tmjson writes them"
    report = validate_genesis(text.encode(), "g")
    assert report.valid and report.chain_id == "planetmint-abc123" and len(report.validators) == 3
    assert report.validators[0].name == "Member <0> & Co"


def test_new_genesis_defaults_and_refusals(members) -> None:
    doc = json.loads(new_genesis(members[:1]))
    assert re.fullmatch(r"planetmint-[a-z0-9]{6}", doc["chain_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z", doc["genesis_time"])
    assert random_chain_id() != random_chain_id()
    for kwargs, field in [({"genesis_time": "2026-11-23T08:00:00+01:00"}, "genesis_time"),
                          ({"chain_id": "x" * 51}, "chain_id"), ({"chain_id": "has space"}, "chain_id"),
                          ({"power": 0}, "power"), ({"genesis_time": "0001-01-01T00:00:00Z"}, "genesis_time")]:
        with pytest.raises((InputError, ValueError), match=field):
            new_genesis(members, **kwargs)
    with pytest.raises(InputError, match="pub_key"):
        new_genesis([members[0], members[0]])


def test_add_members_refuses_duplicates(members, tmp_path: Path) -> None:
    base = new_genesis(members[:2], chain_id="c1", genesis_time="2026-11-23T08:00:00Z")
    grown = add_to_genesis(base.encode(), members[2:], "genesis.json", power=20)
    doc = json.loads(grown)
    assert [v["name"] for v in doc["validators"]] == [m.name for m in members]
    assert doc["validators"][2]["power"] == "20" and doc["chain_id"] == "c1"
    with pytest.raises(InputError, match=r"genesis\.json: pub_key"):
        add_to_genesis(base.encode(), members[:1], "genesis.json")
    renamed = cards.MemberCard(members[1].name.upper(), "x.example.org", 26656, members[2].pub_key,
                               members[2].node_id)
    with pytest.raises(InputError, match=r"genesis\.json: name"):
        add_to_genesis(base.encode(), [renamed], "genesis.json")
    with pytest.raises(InputError, match=r"bad\.json"):
        add_to_genesis(b'{"chain_id": ""}', members, "bad.json")
    tendermint_made = (CASES / "valid_src02_address_omitted.json").read_bytes()
    assert validate_genesis(add_to_genesis(tendermint_made, members[:1], "g").encode(), "g").valid


def test_planetmint_docs_example_explained_and_converted() -> None:
    report = read_genesis(FIXTURES / "planetmint-docs-genesis.json")
    assert not report.valid and report.converted
    assert 'unknown type "AC26791624DE60"' in report.errors[0], "Tendermint's own words first"
    assert "is an old tag" in report.errors[0], "the docs' explanation joins Tendermint's error, not a repeat"
    fields = [e.split(": ")[1] for e in report.errors]
    assert fields == ["validators[0].pub_key.type", "consensus_params", "validators[0].power", "validators[1].power",
                      "validators[1].pub_key.type", "validators[1].pub_key"], "one message per problem"
    assert "block_size_params" in report.errors[1] and "is the number 10" in report.errors[2]
    assert any("zero time" in w and "block 1" in w for w in report.warnings)
    assert any("converted 0.34 document is offered" in w for w in report.warnings)
    converted = validate_genesis(report.converted.encode(), "converted")
    assert converted.valid and converted.chain_id == "test-chain-la6HSr"
    assert [v.address for v in converted.validators] == ["A3258DCBF45DCA0DF052981870F2D1441A36D145",
                                                          "1D8089FAFDFAE4A637F3D616E17B92905FA2D91D"]
    doc = json.loads(report.converted)
    assert doc["genesis_time"] != "0001-01-01T00:00:00Z" and doc["consensus_params"]["block"]["max_bytes"] == "22020096"
    assert doc["consensus_params"]["evidence"]["max_age_num_blocks"] == "100000", "0.2x evidence max_age kept"
    assert [v["name"] for v in doc["validators"]] == ["member-1", "member-2"]


def test_docs_shape_that_cannot_be_converted_says_so() -> None:
    doc = json.loads((FIXTURES / "planetmint-docs-genesis.json").read_text())
    doc["validators"][0]["pub_key"]["value"] = "AAAA"
    report = validate_genesis(json.dumps(doc).encode(), "g.json")
    assert not report.valid and report.converted is None
    assert any("cannot be converted" in w for w in report.warnings)


def test_read_limits(tmp_path: Path) -> None:
    big = tmp_path / "genesis.json"
    big.write_bytes(b" " * (MAX_GENESIS_BYTES + 1))
    with pytest.raises(InputError, match="16 MiB"):
        read_genesis(big)
    with pytest.raises(InputError, match="does not exist"):
        read_genesis(tmp_path / "nope.json")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000)
    assert not read_genesis(deep).valid
