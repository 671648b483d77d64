"""The fast genesis readers give the answers of the Go transcriptions they stand in front of (issue 17):
Python's C JSON decoder against the Go-grammar reader, binascii against Go's base64 walk, int() against
encoding/json's number grammar. Whatever one accepts the other decodes identically; whatever one refuses falls
through to the transcription, so Go's error wording is kept. (The verdicts themselves are compared with the
real tendermint binary in test_genesis_tendermint.py.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmwizard.core import genesis, genesis_json, tmjson
from pmwizard.core.genesis import validate_genesis
from pmwizard.core.genesis_json import GoSyntaxError, JObj, _Reader, parse
from pmwizard.core.tmjson import INT64, GenesisError, _base64, _base64_go, _number_go, _stdlib_number

FIXTURES = Path(__file__).parents[1] / "fixtures"
FILES = [*sorted((FIXTURES / "tendermint/genesis-cases").glob("*.json")), FIXTURES / "planetmint-docs-genesis.json"]


def outcome(call, *args):
    try:
        return ("ok", call(*args))
    except (GenesisError, GoSyntaxError) as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_fixture_gets_the_same_report_without_the_fast_decoder(path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    monkeypatch.setattr(genesis, "now_rfc3339", lambda: "2026-11-23T08:00:00Z")  # a converted docs file's time
    fast = validate_genesis(data, "g.json")
    monkeypatch.setattr(genesis_json, "_fast", lambda text, keep_pairs=False: None)
    assert validate_genesis(data, "g.json") == fast


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(doc=JSON, cut=st.integers(0, 200),
       junk=st.sampled_from(["", " ", ",", "]", "}", "-", "1.", "\x01", "\\", '"a": 1, "a": 2, "A": 3, ']))
def test_python_decoder_agrees_with_the_go_reader(doc, cut, junk) -> None:
    text = json.dumps(doc, ensure_ascii=False)
    for candidate in (text, text[:cut] + junk + text[cut:], text[:cut]):
        assert outcome(parse, candidate) == outcome(lambda t: _Reader(t).document(), candidate), candidate
        pairs = outcome(lambda t: shape(parse(t, keep_pairs=True)), candidate)
        assert pairs == outcome(lambda t: shape(_Reader(t, keep_pairs=True).document()), candidate), candidate


def shape(value):
    """Every key occurrence in order (JObj.pairs), for comparing the two readers' keep_pairs output."""
    if isinstance(value, JObj):
        return ("object", [(k, shape(v)) for k, v in value.pairs])
    if isinstance(value, list):
        return [shape(v) for v in value]
    return value


def test_nesting_beyond_the_c_decoder_still_reads_like_go() -> None:
    deep = "[" * 5000 + "]" * 5000
    value = parse(deep)
    for _ in range(4999):
        value = value[0]
    assert value == []


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="AQgw+/=\r\n!é", max_size=14))
def test_base64_agrees_with_gos_walk(text: str) -> None:
    assert outcome(_base64, text, "f") == outcome(_base64_go, text, "f")


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet="-0123456789.eE+ n", max_size=24) | st.integers(-2**64, 2**64).map(str))
def test_integers_agree_with_gos_grammar(text: str) -> None:
    assert outcome(_stdlib_number, text, "f", "int64", INT64) == outcome(_number_go, text, "f", "int64", INT64)


BASE = json.loads((FIXTURES / "tendermint/genesis-cases/valid_src01_full_default.json").read_text())
ATOMS = (st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(["", "10", "-1", "0A", "AAAA", "x"])
         | st.sampled_from([BASE["validators"][0]["pub_key"]["type"], BASE["validators"][0]["pub_key"]["value"]]))
FIELDS = [("address",), ("power",), ("name",), ("pub_key",), ("pub_key", "type"), ("pub_key", "value"),
          ("pub_key", "Value"), ("extra",)]


@settings(max_examples=300, deadline=None)
@given(changes=st.lists(st.tuples(st.sampled_from(FIELDS), ATOMS | st.lists(ATOMS, max_size=2)), max_size=3))
def test_a_validator_read_in_one_step_gets_the_field_by_field_verdict(changes) -> None:
    doc = json.loads(json.dumps(BASE))
    for path, value in changes:
        target = doc["validators"][0]
        if len(path) == 2:
            if not isinstance(target.get("pub_key"), dict):
                continue
            target = target["pub_key"]
        target[path[-1]] = value
    data = json.dumps(doc).encode()
    fast = outcome(tmjson.decode_genesis, data)
    original = tmjson._plain_validator
    tmjson._plain_validator = lambda v: None
    try:
        assert outcome(tmjson.decode_genesis, data) == fast
    finally:
        tmjson._plain_validator = original
