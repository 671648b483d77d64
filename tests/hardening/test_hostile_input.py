"""Whatever teammates email: every importer, fed arbitrary bytes, wrong types, deep nesting, huge sizes,
invalid UTF-8, control characters and look-alike letters, answers with a one-line error naming the file
(and field) or a valid value. Never a traceback; a signed card changed anywhere is never valid."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmwizard.core import cards, keys
from pmwizard.core.cards import card_from_json, parse_cards_text, read_card_file
from pmwizard.core.peers import parse_peer_address
from pmwizard.core.tmconfig import ConfigChoices, edit_config, load_config
from pmwizard.errors import InputError

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FILES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)
nasty_text = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    [*list("\x00\n\r\t\"'#=,@\\[]{}:"), "\u0430", "\u043e", "\u0435", "\u200b", "\u202e", "\ufeff"]), max_size=80)


def one_line(message: str) -> bool:
    return "\n" not in message and "\r" not in message


@pytest.fixture(scope="module")
def signed_card(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    keys.init_plan(home).apply()
    return cards.export_card(home, "node.alice.example", name="Alice").to_json()


@FAST
@given(nasty_text)
def test_pasted_text_never_raises(text: str) -> None:
    for check in parse_cards_text(text, "<pasted>"):
        if not check.valid:
            assert check.errors and all(one_line(e) and "<pasted>" in e for e in check.errors)


@FAST
@given(json_values)
def test_any_json_value_as_a_card(value) -> None:
    check = card_from_json(value, "m.json")
    assert not check.valid and check.errors[0].startswith("m.json") and one_line(check.errors[0])


FIELDS = ["pmwizard", "name", "hostname", "p2p_port", "pub_key", "node_id", "node_pub_key", "created", "signatures"]


@FAST
@given(st.sampled_from([*FIELDS, "extra"]), json_values)
def test_a_signed_card_changed_anywhere_is_invalid(signed_card: dict, field: str, value) -> None:
    doc = json.loads(json.dumps(signed_card))
    if doc.get(field) == value:
        return
    doc[field] = value
    check = card_from_json(doc, "card.json")
    if check.valid:  # only by dropping the signatures: then it is an unsigned card, and says so
        assert field == "signatures" and value is None and not check.signed and "unsigned" in check.warnings[0]
        return
    assert "card.json" in check.errors[0] and one_line(check.errors[0])


@FAST
@given(st.sampled_from(["name", "hostname"]), nasty_text)
def test_look_alikes_and_control_characters_in_signed_fields(signed_card: dict, field: str, value: str) -> None:
    doc = json.loads(json.dumps(signed_card))
    doc[field] = value
    assert not card_from_json(doc, "card.json").valid


@FILES
@given(st.binary(max_size=3000))
def test_card_file_of_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "card.json"
    path.write_bytes(data)
    for check in read_card_file(path):
        assert check.valid or (str(path) in check.errors[0] and one_line(check.errors[0]))


def test_huge_and_deeply_nested_cards(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"name": "' + "x" * (64 * 1024) + '"}')
    assert "64 KiB" in read_card_file(big)[0].errors[0]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 50_000 + "]" * 50_000)
    check = read_card_file(deep)[0]
    assert not check.valid and str(deep) in check.errors[0]
    bad_utf8 = tmp_path / "latin1.txt"
    bad_utf8.write_bytes(b"node.example.org caf\xe9")
    assert "not UTF-8" in read_card_file(bad_utf8)[0].errors[0]


@FAST
@given(nasty_text | st.from_regex(r"(tcp://)?[0-9a-fA-F]{38,42}@[\[\]:0-9a-z.]{0,20}(:[0-9]{0,6})?", fullmatch=True))
def test_peer_strings(text: str) -> None:
    try:
        peer = parse_peer_address(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert str(parse_peer_address(str(peer))) == str(peer), "what we write parses back the same"


@FILES
@given(st.binary(max_size=2000) | nasty_text.map(str.encode))
def test_config_toml_of_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    try:
        doc = load_config(path)
    except InputError as exc:
        assert str(path) in str(exc)
        return
    import tomlkit

    try:
        new, _ = edit_config(tomlkit.dumps(doc), ConfigChoices(moniker="m"), str(path))
    except InputError as exc:  # e.g. `p2p = 1`: a key where pmwizard needs a section
        assert str(path) in str(exc)
        return
    import tomllib

    parsed = tomllib.loads(new)
    assert parsed["moniker"] == "m" and parsed["p2p"]["send_rate"] == 102400000


@FAST
@given(nasty_text)
def test_moniker_is_refused_or_round_trips(moniker: str) -> None:
    import tomllib

    try:
        new, _ = edit_config(None, ConfigChoices(moniker=moniker), "config.toml")
    except InputError as exc:
        assert "moniker" in str(exc)
        return
    assert tomllib.loads(new)["moniker"] == moniker


@FILES
@given(st.sampled_from([keys.VALIDATOR_KEY, keys.NODE_KEY]), json_values | st.binary(max_size=300))
def test_key_files_of_anything(tmp_path: Path, rel: str, content) -> None:
    import uuid

    home = tmp_path / uuid.uuid4().hex  # a fresh home per example (tmp_path is shared by all examples)
    keys.init_plan(home).apply()
    path = home / rel
    path.unlink()
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    with pytest.raises(InputError) as err:
        keys.load_identity(home)
    assert str(path) in str(err.value) and one_line(str(err.value))


@FILES
@given(st.binary(max_size=3000) | st.builds(
    lambda body: b"-----BEGIN CERTIFICATE-----\n" + body + b"\n-----END CERTIFICATE-----\n",
    st.text(alphabet=string.ascii_letters + string.digits + "+/=\n", max_size=400).map(str.encode)))
def test_pem_files_of_anything(tmp_path: Path, data: bytes) -> None:
    from pmwizard.checks.certfiles import check_cert_files

    path = tmp_path / "fullchain.pem"
    path.write_bytes(data)
    found = check_cert_files(path)
    assert found and found[0].code == "unreadable" and found[0].fix


GENESIS = (Path(__file__).parents[1] / "fixtures/tendermint/genesis-cases/valid_src01_full_default.json").read_text()
GENESIS_PATHS = [("genesis_time",), ("chain_id",), ("initial_height",), ("consensus_params",),
                 ("consensus_params", "block", "max_bytes"), ("consensus_params", "evidence", "max_age_duration"),
                 ("consensus_params", "validator", "pub_key_types"), ("validators",), ("validators", 0),
                 ("validators", 0, "address"), ("validators", 0, "pub_key"), ("validators", 0, "pub_key", "value"),
                 ("validators", 0, "power"), ("validators", 0, "name"), ("app_hash",), ("app_state",)]


@FAST
@given(st.binary(max_size=2000) | nasty_text.map(str.encode))
def test_genesis_of_arbitrary_bytes(data: bytes) -> None:
    from pmwizard.core.genesis import validate_genesis

    report = validate_genesis(data, "genesis.json")
    assert report.valid or (report.errors and all(e.startswith("genesis.json") and one_line(e)
                                                  for e in report.errors))


@FAST
@given(st.sampled_from(GENESIS_PATHS), json_values)
def test_genesis_with_any_field_replaced(path: tuple, value) -> None:
    from pmwizard.core.genesis import validate_genesis

    doc = json.loads(GENESIS)
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    report = validate_genesis(json.dumps(doc).encode(), "genesis.json")
    if report.valid:  # whatever passes names its validators by well-formed addresses and positive powers
        assert all(re.fullmatch("[0-9A-F]{40}", v.address) and v.power > 0 for v in report.validators)
    else:
        assert all(e.startswith("genesis.json: ") and one_line(e) for e in report.errors)


@FAST
@given(nasty_text)
def test_member_names_round_trip_through_genesis(signed_card: dict, name: str) -> None:
    import dataclasses

    from pmwizard.core.genesis import new_genesis, validate_genesis

    card = card_from_json(signed_card, "c").card
    try:
        renamed = dataclasses.replace(card, name=cards.check_name(name, "name"))
    except InputError:
        return
    report = validate_genesis(new_genesis([renamed], chain_id="c").encode(), "g")
    assert report.valid and report.validators[0].name == name
