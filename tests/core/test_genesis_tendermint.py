"""pmwizard's genesis verdict against the real Tendermint 0.34 binary.

`tendermint replay` reads genesis.json exactly as `tendermint node` does (GenesisDocFromJSON, then
MakeGenesisState, which panics on a bad validator set) and then stops at once, about 25 ms per file, so every
fixture case, a list of edge cases (Go's JSON grammar, raw strings, times, keys) and randomly mutated documents
are put to the binary and to validate_genesis, and the two verdicts must agree. One genesis from
new_genesis is then run as a real node until its RPC answers.
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nacl.signing import SigningKey

from pmwizard.core.cards import MemberCard
from pmwizard.core.genesis import add_to_genesis, new_genesis, read_genesis, validate_genesis
from pmwizard.core.keys import node_id_of
from tests.support import tmnet
from tests.support.examples import DEEP
from tests.support.ports import free_port
from tests.support.require import tendermint_binary
from tests.support.tmnet import Node, wait_until

CASES = Path(__file__).parents[1] / "fixtures/tendermint/genesis-cases"
DOCS = Path(__file__).parents[1] / "fixtures/planetmint-docs-genesis.json"
# what the binary prints once the genesis was accepted (replay then stops for reasons of its own)
# (kvstore's empty app hash differs from a genesis app_hash: the file itself was read and accepted)
ACCEPTED = ("testing: Verbose called before Parse", "validator set is nil in genesis and still empty after InitChain",
            "state.AppHash does not match AppHash after replay")
REFUSED = ("error reading GenesisDoc", "Cannot create validator set", "pubkey is incorrect size",
           "length of pubkey is incorrect", "nil pointer dereference", "panic: timestamp",
           "lastHeightChanged cannot be greater than ValidatorsInfo height")  # initial_height at the int64 edge


@pytest.fixture(scope="module")
def tendermint_verdict(tmp_path_factory: pytest.TempPathFactory) -> Callable[[bytes], tuple[bool, str]]:
    binary = tendermint_binary()
    base = tmp_path_factory.mktemp("tmreplay")
    subprocess.run([binary, "init", "--home", str(base / "init")], capture_output=True, check=True, timeout=60)
    config = base / "init/config/config.toml"
    text = config.read_text()
    assert 'proxy_app = "tcp://127.0.0.1:26658"' in text
    config.write_text(text.replace('proxy_app = "tcp://127.0.0.1:26658"', 'proxy_app = "kvstore"'))
    counter = iter(range(10**9))

    def verdict(data: bytes) -> tuple[bool, str]:
        home = base / f"h{next(counter)}"  # a fresh data folder: no state saved by an earlier run
        shutil.copytree(base / "init/config", home / "config")
        (home / "data").mkdir()
        (home / "config/genesis.json").write_bytes(data)
        try:
            r = subprocess.run([binary, "replay", "--home", str(home)], capture_output=True, text=True, timeout=60,
                               check=False)
        finally:
            shutil.rmtree(home, ignore_errors=True)
        out = r.stdout + r.stderr
        if any(marker in out for marker in ACCEPTED):
            return True, ""
        assert any(marker in out for marker in REFUSED), f"tendermint replay said something unexpected:\n{out}"
        return False, out.strip().splitlines()[0]

    return verdict


def agree(verdict: Callable[[bytes], tuple[bool, str]], data: bytes) -> bool:
    ours = validate_genesis(data, "genesis.json")
    theirs, said = verdict(data)
    assert ours.valid == theirs, (data[:300], "tendermint:", said, "pmwizard:", ours.errors)
    return theirs


@pytest.mark.parametrize("name", sorted(p.name for p in CASES.glob("*.json")))
def test_every_fixture_case_against_the_binary(tendermint_verdict, name: str) -> None:
    assert agree(tendermint_verdict, (CASES / name).read_bytes()) == name.startswith("valid_")


BASE = json.loads((CASES / "valid_src01_full_default.json").read_text())
KEY = BASE["validators"][0]["pub_key"]["value"]


def variant(path: tuple, value: object) -> bytes:
    doc = copy.deepcopy(BASE)
    target = doc
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return json.dumps(doc).encode()


def replaced(old: str, new: str) -> bytes:
    text = json.dumps(BASE)
    assert old in text
    return text.replace(old, new, 1).encode()


EDGE_CASES = {
    # 64-bit integers: the raw text between the quotes goes to encoding/json
    "int_spaces": variant(("initial_height",), " 1 "), "int_null": variant(("initial_height",), "null"),
    "int_escaped_newline": variant(("initial_height",), "\n2"),
    "power_spaces": variant(("validators", 0, "power"), " 10"),
    "power_null": variant(("validators", 0, "power"), "null"), "power_exp": variant(("validators", 0, "power"), "1e1"),
    "power_leading_zero": variant(("validators", 0, "power"), "010"),
    "power_minus_zero": variant(("validators", 0, "power"), "-0"),
    "power_plus": variant(("validators", 0, "power"), "+10"), "power_true": variant(("validators", 0, "power"), "true"),
    "power_array": variant(("validators", 0, "power"), "[10]"),
    "power_escaped_digit": replaced('"power": "10"', '"power": "\\u0031\\u0030"'),
    "int64_max": variant(("consensus_params", "block", "max_gas"), "9223372036854775807"),
    "int64_over": variant(("consensus_params", "block", "max_gas"), "9223372036854775808"),
    "app_version_negative": variant(("consensus_params", "version", "app_version"), "-1"),
    # times
    "time_lowercase_t": variant(("genesis_time",), "2026-11-23t08:00:00Z"),
    "time_13_digit_fraction": variant(("genesis_time",), "2026-11-23T08:00:00.1234567891234Z"),
    "time_year_0": variant(("genesis_time",), "0000-01-01T00:00:00Z"),
    "time_second_60": variant(("genesis_time",), "2026-11-23T08:00:60Z"),
    "time_feb_30": variant(("genesis_time",), "2026-02-30T08:00:00Z"),
    "time_feb_29_leap": variant(("genesis_time",), "2028-02-29T08:00:00Z"),
    "time_dot_no_digits": variant(("genesis_time",), "2026-11-23T08:00:00.Z"),
    "time_space": variant(("genesis_time",), "2026-11-23 08:00:00Z"),
    "time_comma": variant(("genesis_time",), "2026-11-23T08:00:00,5Z"),
    "time_short_hour": variant(("genesis_time",), "2026-11-23T8:00:00Z"),
    "time_number": variant(("genesis_time",), 5), "time_null": variant(("genesis_time",), None),
    "time_5_digit_year": variant(("genesis_time",), "10000-01-01T00:00:00Z"),
    "time_hour_24": variant(("genesis_time",), "2026-11-23T24:00:00Z"),
    "time_escaped_z": replaced('13.695936996Z"', '13.695936996\\u005a"'),
    "time_zero_fraction": variant(("genesis_time",), "0001-01-01T00:00:00.000Z"),
    # Go's JSON grammar and decoding
    "nan": replaced('"app_hash": ""', '"app_hash": "", "app_state": NaN'),
    "5000_digit_number": replaced('"app_hash": ""', '"app_hash": "", "app_state": 1' + "1" * 5000),
    "lone_surrogate_name": replaced('"name": ""', '"name": "\\ud800"'),
    "invalid_utf8_name": replaced('"name": ""', '"name": "x"').replace(b'"x"', b'"\xff"'),
    "invalid_utf8_outside": replaced('"name": ""', '"name": ""').replace(b'"app_hash"', b'\xff"app_hash"'),
    "bom": b"\xef\xbb\xbf" + json.dumps(BASE).encode(),
    "trailing_garbage": json.dumps(BASE).encode() + b" x",
    "trailing_comma": replaced('"app_hash": ""', '"app_hash": "",}'),
    "capital_wrapper_keys": replaced('"type": "tendermint/PubKeyEd25519"', '"Type": "tendermint/PubKeyEd25519"'),
    "capital_value_key": replaced('"value": "', '"VALUE": "'),
    "capital_struct_key": replaced('"chain_id"', '"Chain_ID"'),
    "duplicate_power_key": replaced('"power": "10"', '"power": "10", "power": "0"'),
    "escaped_hex_address": replaced('"address": "', '"address": "\\u0041'),
    "address_null": variant(("validators", 0, "address"), None),
    "address_empty": variant(("validators", 0, "address"), ""),
    "key_value_null": variant(("validators", 0, "pub_key", "value"), None),
    "key_value_empty": variant(("validators", 0, "pub_key", "value"), ""),
    "key_unpadded": variant(("validators", 0, "pub_key", "value"), KEY.rstrip("=")),
    "key_with_newline": variant(("validators", 0, "pub_key", "value"), KEY[:20] + "\n" + KEY[20:]),
    "key_as_byte_array": variant(("validators", 0, "pub_key", "value"), list(base64.b64decode(KEY))),
    "key_private_tag": variant(("validators", 0, "pub_key", "type"), "tendermint/PrivKeyEd25519"),
    "key_sr25519_tag": variant(("validators", 0, "pub_key", "type"), "tendermint/PubKeySr25519"),
    "key_secp256k1_33": replaced(f'"type": "tendermint/PubKeyEd25519", "value": "{KEY}"',
                                 '"type": "tendermint/PubKeySecp256k1", "value": "'
                                 + base64.b64encode(b"\x02" + bytes(range(32))).decode() + '"').replace(
                                     b'"address": "' + BASE["validators"][0]["address"].encode() + b'", ', b""),
    "validator_null": variant(("validators", 0), None), "validators_object": variant(("validators",), {}),
    "params_empty": variant(("consensus_params",), {}), "params_null": variant(("consensus_params",), None),
    "duration_negative": variant(("consensus_params", "evidence", "max_age_duration"), "-1"),
    "version_null": variant(("consensus_params", "version"), None),
    "pub_key_types_null": variant(("consensus_params", "validator", "pub_key_types"), None),
    "pub_key_types_null_item": variant(("consensus_params", "validator", "pub_key_types"), [None]),
    "chain_id_blank": variant(("chain_id",), " "), "chain_id_50_bytes_utf8": variant(("chain_id",), "é" * 25),
    "chain_id_52_bytes_utf8": variant(("chain_id",), "é" * 26),
    "top_null": b"null", "top_array": b"[]", "top_empty_object": b"{}",
    "app_hash_0G": variant(("app_hash",), "0G"), "app_hash_non_ascii": variant(("app_hash",), "é"),
    "app_hash_odd": variant(("app_hash",), "abc"), "app_hash_null": variant(("app_hash",), None),
    "app_hash_lowercase": variant(("app_hash",), "0a0b"),
    "name_number": variant(("validators", 0, "name"), 5), "name_null": variant(("validators", 0, "name"), None),
    "power_over_max": variant(("validators", 0, "power"), str(2**60)),
    "deep_app_state": replaced('"app_hash": ""', '"app_hash": "", "app_state": ' + "[" * 10001 + "]" * 10001),
    "deep_app_state_ok": replaced('"app_hash": ""', '"app_hash": "", "app_state": ' + "[" * 9990 + "]" * 9990),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_agree_with_the_binary(tendermint_verdict, name: str) -> None:
    agree(tendermint_verdict, EDGE_CASES[name])


def test_docs_example_and_its_conversion_against_the_binary(tendermint_verdict) -> None:
    assert not agree(tendermint_verdict, DOCS.read_bytes())
    converted = read_genesis(DOCS).converted
    assert converted and agree(tendermint_verdict, converted.encode())


JSON_ATOMS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["", "0", "1", "-1", " 2", "null", "1.5", "zz", "0a", KEY, "2026-11-23T08:00:00Z", "ed25519",
     "tendermint/PubKeyEd25519", "9223372036854775808"]))
PATHS = [("genesis_time",), ("chain_id",), ("initial_height",), ("consensus_params",),
         ("consensus_params", "block"), ("consensus_params", "block", "max_bytes"),
         ("consensus_params", "block", "max_gas"), ("consensus_params", "block", "time_iota_ms"),
         ("consensus_params", "evidence", "max_age_num_blocks"), ("consensus_params", "evidence", "max_age_duration"),
         ("consensus_params", "evidence", "max_bytes"), ("consensus_params", "validator", "pub_key_types"),
         ("consensus_params", "version", "app_version"), ("validators",), ("validators", 0),
         ("validators", 0, "address"), ("validators", 0, "pub_key"), ("validators", 0, "pub_key", "type"),
         ("validators", 0, "pub_key", "value"), ("validators", 0, "power"), ("validators", 0, "name"),
         ("app_hash",), ("app_state",)]


@settings(max_examples=60 * DEEP, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), JSON_ATOMS | st.lists(JSON_ATOMS, max_size=2)),
                        min_size=1, max_size=3))
def test_random_mutations_agree_with_the_binary(tendermint_verdict, changes) -> None:
    doc = copy.deepcopy(BASE)
    for path, value in changes:
        put(doc, path, value)
    agree(tendermint_verdict, json.dumps(doc).encode())


def put(doc: object, path: tuple, value: object) -> None:
    """Set doc[path] when that place still exists (an earlier change may have replaced a parent)."""
    target = doc
    for depth, step in enumerate(path):
        fits = (isinstance(target, dict) and isinstance(step, str)) or \
            (isinstance(target, list) and isinstance(step, int) and step < len(target))
        if not fits:
            return
        if depth == len(path) - 1:
            target[step] = value  # type: ignore[index]
            return
        if isinstance(target, dict) and step not in target:
            return
        target = target[step]  # type: ignore[index]


def signed_less_card(home: Path, name: str) -> MemberCard:
    """This home's own validator key as a card (node key unused here)."""
    key = json.loads((home / "config/priv_validator_key.json").read_text())
    node = json.loads((home / "config/node_key.json").read_text())
    node_pub = base64.b64decode(node["priv_key"]["value"])[32:]
    return MemberCard(name, "127.0.0.1", 26656, key["pub_key"]["value"], node_id_of(node_pub))


def test_made_and_extended_files_are_accepted_by_the_binary(tendermint_verdict, tmp_path: Path) -> None:
    cards = [MemberCard(f"m{i} <&>", f"n{i}.example.org", 26656, base64.b64encode(bytes(SigningKey.generate(
        ).verify_key)).decode(), f"{i:040x}") for i in range(5)]
    made = new_genesis(cards[:3], chain_id="pm-binary", genesis_time="2026-11-23T08:00:00.5Z")
    assert agree(tendermint_verdict, made.encode())
    grown = add_to_genesis(made.encode(), cards[3:], "genesis.json")
    assert agree(tendermint_verdict, grown.encode())
    tendermint_made = (CASES / "valid_gt18_random_genesis_doc_saveas.json").read_bytes()
    assert agree(tendermint_verdict, add_to_genesis(tendermint_made, cards[:1], "g").encode())


def test_a_node_runs_on_a_genesis_from_new_genesis(tmp_path: Path) -> None:
    home = tmp_path / "node"
    subprocess.run([tendermint_binary(), "init", "--home", str(home)], capture_output=True, check=True, timeout=60)
    card = signed_less_card(home, "the only validator")
    (home / "config/genesis.json").write_text(new_genesis([card], chain_id="pm-node-test"))
    node = Node(home, free_port(), tmp_path / "node.log")
    p2p = free_port()
    try:
        tmnet.start(node, "--p2p.laddr", f"tcp://127.0.0.1:{p2p}", "--rpc.laddr", f"tcp://127.0.0.1:{node.rpc_port}")
        status = wait_until(node.status, 60, "the node's RPC /status answers", [node])
        assert status["node_info"]["network"] == "pm-node-test"
        assert status["validator_info"]["address"] == card.address
        wait_until(lambda: node.height() >= 1, 60, "the node makes a block", [node])
    except BaseException:
        print(node.show_log())
        raise
    finally:
        tmnet.stop(node)


def test_the_writer_reproduces_tendermints_bytes(tmp_path: Path) -> None:
    """Our MarshalIndent layout, applied to files Tendermint wrote, gives back the same bytes."""
    from pmwizard.core.genesis import layout
    from pmwizard.core.genesis_json import parse

    subprocess.run([tendermint_binary(), "init", "--home", str(tmp_path)], capture_output=True, check=True, timeout=60)
    for path in (tmp_path / "config/genesis.json", CASES / "valid_gt18_random_genesis_doc_saveas.json",
                 CASES / "valid_src01_full_default.json"):
        data = path.read_bytes()
        assert layout(parse(data)).encode() == data, path


GO_JSON_ERRORS = ("invalid character", "unexpected end of JSON input", "cannot unmarshal",
                  "invalid 64-bit integer encoding", "encoding/hex", "illegal base64")


@settings(max_examples=80 * DEEP, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["delete", "insert", "replace"]),
                                st.sampled_from([*list(b'{}[]",:0123456789-.eE+ \\tnx\x01\xff'), 0x5C, 0x75])),
                      min_size=1, max_size=3))
def test_byte_edits_get_gos_own_words(tendermint_verdict, edits) -> None:
    """Random byte edits of a valid file: same verdict, and for Go's JSON errors the very same text."""
    data = bytearray(json.dumps(BASE, indent=1).encode())
    for at, how, byte in edits:
        at %= len(data) + (how == "insert")
        if how == "delete" and data:
            del data[at % len(data)]
        elif how == "insert":
            data.insert(at, byte)
        elif data:
            data[at % len(data)] = byte
    ours = validate_genesis(bytes(data), "genesis.json")
    theirs, said = tendermint_verdict(bytes(data))
    assert ours.valid == theirs, (bytes(data), said, ours.errors)
    said = said.removeprefix("error reading GenesisDoc: ")
    if not theirs and said.startswith(GO_JSON_ERRORS):
        assert ours.errors[0].endswith(said) or f": {said} (" in ours.errors[0], (said, ours.errors[0])


CUT_VALUES = {
    # what is left when a value stops half-way: Go's scanner feeds a space at the end, which a half-read
    # number, literal or escape refuses ("invalid character ' ' ..."), and anything else reads as the end
    "power_minus": variant(("validators", 0, "power"), "-"),
    "power_dot": variant(("validators", 0, "power"), "1."),
    "power_e": variant(("validators", 0, "power"), "1e"),
    "power_e_sign": variant(("validators", 0, "power"), "1e+"),
    "power_tru": variant(("validators", 0, "power"), "tru"),
    "power_open_array": variant(("validators", 0, "power"), "[1"),
    "power_open_string": replaced('"power": "10"', '"power": "\\"10"'),
    "max_gas_minus": variant(("consensus_params", "block", "max_gas"), "-"),
    "file_ends_in_minus": json.dumps(BASE).encode()[:-1] + b', "app_state": -',
    "file_ends_in_fals": json.dumps(BASE).encode()[:-1] + b', "app_state": fals',
    "file_ends_in_escape": json.dumps(BASE).encode()[:-1] + b', "app_state": "\\',
    "file_ends_in_u_escape": json.dumps(BASE).encode()[:-1] + b', "app_state": "\\u00',
    "file_ends_in_string": json.dumps(BASE).encode()[:-1] + b', "app_state": "abc',
    "file_ends_after_key": json.dumps(BASE).encode()[:-1] + b', "app_state"',
}


@pytest.mark.parametrize("name", sorted(CUT_VALUES))
def test_values_cut_short_get_gos_own_words(tendermint_verdict, name: str) -> None:
    data = CUT_VALUES[name]
    ours = validate_genesis(data, "genesis.json")
    theirs, said = tendermint_verdict(data)
    assert not theirs and not ours.valid
    said = said.removeprefix("error reading GenesisDoc: ")
    assert said.startswith(GO_JSON_ERRORS), said
    assert ours.errors[0].endswith(said) or f": {said} (" in ours.errors[0], (said, ours.errors[0])
