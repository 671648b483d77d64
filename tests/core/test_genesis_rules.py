"""Genesis details beyond the fixture cases: Go's JSON wording, times and durations as Go prints them, the
warnings a coordinator gets, members added without touching anything else, size-limited reading, and no
input at all that makes validation or add_to_genesis raise anything but InputError."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from pmwizard.core.cards import MemberCard
from pmwizard.core.genesis import add_to_genesis, canonical_time, new_genesis, read_genesis, validate_genesis
from pmwizard.core.genesis_json import GoSyntaxError, dump, parse
from pmwizard.core.genesis_time import TimeError, parse_rfc3339
from pmwizard.core.tmjson import _go_duration
from pmwizard.errors import InputError

CASES = Path(__file__).parents[1] / "fixtures/tendermint/genesis-cases"


def card(i: int, name: str | None = None) -> MemberCard:
    pub = base64.b64encode(bytes(SigningKey(bytes([i + 1]) * 32).verify_key)).decode()
    return MemberCard(name or f"member {i}", f"n{i}.example.org", 26656, pub, f"{i:040x}")


@pytest.mark.parametrize(("text", "message"), [
    (b"", "unexpected end of JSON input"), (b"{", "unexpected end of JSON input"),
    (b"\x01", "invalid character '\\x01' looking for beginning of value"),
    (b'{"a":1,}', "invalid character '}' looking for beginning of object key string"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1 2]", "invalid character '2' after array element"), (b"01", "invalid character '1' after top-level value"),
    (b"-x", "invalid character 'x' in numeric literal"),
    (b"1.x", "invalid character 'x' after decimal point in numeric literal"),
    (b"1ex", "invalid character 'x' in exponent of numeric literal"),
    (b"trux", "invalid character 'x' in literal true (expecting 'e')"),
    (b'"a\x01"', "invalid character '\\x01' in string literal"),
    (b'"\\x"', "invalid character 'x' in string escape code"),
    (b'"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"),
    (b"NaN", "invalid character 'N' looking for beginning of value"),
    (b"\xef\xbb\xbf{}", "invalid character '\u00ef' looking for beginning of value"),
    (b"'a'", "invalid character '\\'' looking for beginning of value"),
    (b"[" * 10001, "invalid character '[' exceeded max depth"),
])
def test_go_json_syntax_errors(text: bytes, message: str) -> None:
    with pytest.raises(GoSyntaxError) as err:
        parse(text)
    assert str(err.value) == message


def test_go_json_values_and_layout() -> None:
    doc = parse(b'{"n": 1' + b"0" * 5000 + b', "f": 1.50e3, "s": "\\u003c\xff\\ud800", "e": {}, "l": []}')
    assert doc["s"] == "<\ufffd\ufffd" and doc["s"].raw == "\\u003c\udcff\\ud800"
    text = dump(doc)
    assert '"n": 1' + "0" * 5000 in text and '"f": 1.50e3' in text, "numbers are written as they were read"
    assert '"s": "\\u003c\ufffd\ufffd"' in text and '"e": {},\n  "l": []\n}' in text
    assert dump({"a": "<&>\u2028\n\x01"}) == '{\n  "a": "\\u003c\\u0026\\u003e\\u2028\\n\\u0001"\n}'


@pytest.mark.parametrize(("value", "message"), [
    ("2026-11-23t08:00:00Z", 'cannot parse "t08:00:00Z" as "T"'),
    ("2026-13-01T00:00:00Z", 'parsing time "2026-13-01T00:00:00Z": month out of range'),
    ("2026-02-29T00:00:00Z", 'parsing time "2026-02-29T00:00:00Z": day out of range'),
    ("2026-11-23T24:00:00Z", "hour out of range"), ("2026-11-23T08:60:00Z", "minute out of range"),
    ("2026-11-23T08:00:00.Z", 'cannot parse ".Z" as "Z07:00"'),
    ("10000-01-01T00:00:00Z", 'cannot parse "0-01-01T00:00:00Z" as "-"'),
    ("2026-11-23T08:00:00+01:00Z", 'extra text: "Z"'), ("2026-11-2\u00e9T08:00:00Z", '"2026-11-2\\xc3\\xa9T'),
])
def test_times_refused_with_gos_words(value: str, message: str) -> None:
    with pytest.raises(TimeError, match=None) as err:
        parse_rfc3339(value)
    assert message in str(err.value)


def test_times_accepted_and_written_as_go_writes_them() -> None:
    assert parse_rfc3339("2028-02-29T08:00:00.1234567891Z").rfc3339nano() == "2028-02-29T08:00:00.123456789Z"
    assert parse_rfc3339("2026-11-23T8:00:00,5Z").rfc3339nano() == "2026-11-23T08:00:00.5Z"
    assert parse_rfc3339("0001-01-01T00:00:00.000Z").is_zero()
    assert canonical_time("2026-11-23T08:00:00.500000000Z") == "2026-11-23T08:00:00.5Z"
    for bad in ("2026-11-23T08:00:00+01:00", "0001-01-01T00:00:00Z", "yesterday"):
        with pytest.raises(InputError, match="genesis_time"):
            canonical_time(bad)


@pytest.mark.parametrize(("ns", "text"), [(0, "0s"), (1, "1ns"), (1500, "1.5µs"), (2_000_000, "2ms"),
                                          (-1_000_000_000, "-1s"), (172800000000000, "48h0m0s"),
                                          (3_723_000_000_001, "1h2m3.000000001s")])
def test_durations_as_go_prints_them(ns: int, text: str) -> None:
    assert _go_duration(ns) == text


def test_warnings_a_coordinator_needs() -> None:
    doc = json.loads(new_genesis([card(0), card(1), card(2)], chain_id="w", genesis_time="2026-11-23T08:00:00Z"))
    doc["validators"][2]["name"] = "MEMBER 0"
    doc["app_hash"] = "0A0B"
    doc["genesis_time"] = "0001-01-01T00:00:00Z"
    warnings = "\n".join(validate_genesis(json.dumps(doc).encode(), "g.json").warnings)
    for words in ("app_hash: 0A0B", "validators[2].name: 'MEMBER 0' is also the name of validators[0]",
                  "3 validators; the chain stops whenever one of them is offline", "refuse each other's first block"):
        assert words in warnings, words
    four = json.loads(new_genesis([card(i) for i in range(4)], chain_id="w", genesis_time="2099-01-01T00:00:00Z",
                                  powers=[10, 10, 10, 15]))
    warnings = "\n".join(validate_genesis(json.dumps(four).encode(), "g.json").warnings)
    assert "validators[3].power: member 3 holds 15 of 45, at least 1/3" in warnings
    assert "more than a week ahead" in warnings
    secp = json.loads((CASES / "valid_src24_pub_key_types_secp256k1.json").read_text())
    secp["consensus_params"]["validator"]["pub_key_types"] = ["secp256k1"]
    warnings = "\n".join(validate_genesis(json.dumps(secp).encode(), "g.json").warnings)
    assert "type ed25519 is not in consensus_params.validator.pub_key_types" in warnings
    assert not validate_genesis(new_genesis([card(i) for i in range(4)], chain_id="w").encode(), "g").warnings


def test_add_keeps_everything_else_as_written() -> None:
    made = new_genesis([card(0)], chain_id="c", genesis_time="2026-11-23T08:00:00Z")
    base = (made[:-2] + ',\n  "app_state": {"big": 1' + "0" * 30 + ', "f": 0.1000000000000000055511, '
            '"s": "<\\u00e9>"},\n  "x_unknown": [1]\n}').encode()
    grown = add_to_genesis(base, [card(7)], "genesis.json")
    assert '"big": 1' + "0" * 30 in grown and '"f": 0.1000000000000000055511' in grown
    assert '"s": "\\u003c\\u00e9\\u003e"' in grown, "app_state strings keep their escapes (a RawMessage)"
    before, after = parse(base), parse(grown.encode())
    assert [k for k in after] == [k for k in before], "unknown keys kept, in their order"
    assert after["validators"][:-1] == before["validators"] and after["validators"][-1]["name"] == "member 7"
    lower = (CASES / "valid_src03_address_lowercase.json").read_bytes()
    grown = json.loads(add_to_genesis(lower, [card(7)], "g"))
    assert grown["validators"][0]["address"] == "A3258DCBF45DCA0DF052981870F2D1441A36D145"


def test_add_refuses_duplicates_between_new_cards_and_bad_powers() -> None:
    base = new_genesis([card(0)], chain_id="c", genesis_time="2026-11-23T08:00:00Z").encode()
    with pytest.raises(InputError, match=r"g\.json: pub_key"):
        add_to_genesis(base, [card(1), card(1, "another name")], "g.json")
    with pytest.raises(InputError, match=r"g\.json: name"):
        add_to_genesis(base, [card(1, "Same"), card(2, "same")], "g.json")
    twin = MemberCard("twin", "t.example.org", 26656, card(5).pub_key, card(1).node_id)
    with pytest.raises(InputError, match=r"g\.json: node_id"):
        add_to_genesis(base, [card(1), twin], "g.json")
    with pytest.raises(InputError, match="power"):
        add_to_genesis(base, [card(1)], "g.json", power=0)
    with pytest.raises(InputError, match="power"):
        new_genesis([card(0), card(1)], powers=[2**59, 2**59])
    with pytest.raises(InputError, match="no member cards"):
        add_to_genesis(base, [], "g.json")


def test_read_is_bounded(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:  # an endless file: the read stops at the limit
        read_genesis(Path("/dev/zero"))
    assert "/dev/zero" in str(err.value) and "16 MiB" in str(err.value)
    with pytest.raises(InputError, match="is a folder"):
        read_genesis(tmp_path)


def test_report_json_shape() -> None:
    report = read_genesis(CASES / "valid_src01_full_default.json").to_json()
    assert {"valid", "errors", "warnings", "sha256"} <= set(report) and report["valid"] is True
    assert report["validators"][0]["power"] == 10 and len(report["sha256"]) == 64
    json.dumps(report)


GENESIS_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(
        ["10", "-1", "tendermint/PubKeyEd25519", "AT/+aaL1eB0477Mud9JMm8Sh8BIvOYlPGC9KkIUmFaE=",
         "0001-01-01T00:00:00Z"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["genesis_time", "chain_id", "initial_height", "consensus_params", "validators", "app_hash", "pub_key",
         "type", "value", "power", "address", "name", "block", "max_bytes", "data"]), inner, max_size=5),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(doc=GENESIS_LIKE)
def test_any_json_gets_a_verdict_never_an_exception(doc) -> None:
    data = json.dumps(doc).encode()
    report = validate_genesis(data, "g.json")
    assert report.valid or report.errors
    if report.valid:
        try:
            text = add_to_genesis(data, [card(9)], "g.json")
        except InputError:
            return
        assert validate_genesis(text.encode(), "g").valid


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=200))
def test_any_bytes_get_a_verdict_never_an_exception(data: bytes) -> None:
    report = validate_genesis(data, "g.json")
    assert report.valid or report.errors
