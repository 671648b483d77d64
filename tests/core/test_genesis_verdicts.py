"""Issue 12 item 5: verdicts that differed from Tendermint 0.34, each put to the real binary (`tendermint replay`,
see test_genesis_tendermint.py) and to pmwizard: a pub_key wrapper repeating `value`/`Value` or `type`/`Type`
(encoding/json: keys matched case-insensitively, the last occurrence wins), initial_height at the int64 edge,
app_state nested as deep as Go reads (10,000 levels) through validate and add; and a card whose hostname is an
IPv6 literal with a zone, which Tendermint takes into persistent_peers but cannot dial."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

import pytest
from nacl.signing import SigningKey

from pmwizard.core.cards import MemberCard, read_cards
from pmwizard.core.genesis import add_to_genesis, validate_genesis
from pmwizard.core.keys import node_id_of
from pmwizard.errors import InputError
from tests.core.test_genesis_tendermint import BASE, KEY, agree, replaced, tendermint_verdict  # noqa: F401
from tests.support import tmnet
from tests.support.ports import free_port
from tests.support.require import tendermint_binary
from tests.support.tmnet import wait_until

OTHER = base64.b64encode(b"\x01" * 31).decode()  # 31 bytes: a key of the wrong size
WRAPPER = f'"type": "tendermint/PubKeyEd25519", "value": "{KEY}"'

REPEATS = {
    # the dict a reader builds keeps "value" once (its last text) at its first place: the order is lost
    "value_Value_value_last_good": ((f'"type": "tendermint/PubKeyEd25519", "value": "{OTHER}", "Value": "{OTHER}", '
                                    f'"value": "{KEY}"'), True),
    "value_Value_value_last_bad": ((f'"type": "tendermint/PubKeyEd25519", "value": "{KEY}", "Value": "{KEY}", '
                                   f'"value": "{OTHER}"'), False),
    "Value_value_Value_last_good": ((f'"type": "tendermint/PubKeyEd25519", "Value": "{OTHER}", "value": "{OTHER}", '
                                    f'"Value": "{KEY}"'), True),
    "VALUE_value_VALUE": ((f'"type": "tendermint/PubKeyEd25519", "VALUE": "{KEY}", "value": "{KEY}", '
                          f'"VALUE": "{OTHER}"'), False),
    "type_Type_type_last_good": ((f'"type": "tendermint/PubKeyEd25519", "Type": "bogus", '
                                 f'"type": "tendermint/PubKeyEd25519", "value": "{KEY}"'), True),
    "type_Type_type_last_bad": ((f'"type": "bogus", "Type": "tendermint/PubKeyEd25519", "type": "bogus", '
                                f'"value": "{KEY}"'), False),
}


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_repeated_wrapper_keys_last_one_wins(tendermint_verdict, name: str) -> None:  # noqa: F811
    wrapper, valid = REPEATS[name]
    data = replaced(WRAPPER, wrapper)
    assert agree(tendermint_verdict, data) is valid  # the binary's verdict, and pmwizard's equals it
    # the same through the Go-grammar reader (an escape anywhere turns the C decoder off)
    escaped = data.replace(b'"chain_id": "', b'"chain_id": "\\u0063', 1)
    assert validate_genesis(escaped, "g.json").valid is agree(tendermint_verdict, escaped)


@pytest.mark.parametrize(("height", "valid"), [("9223372036854775807", False), ("9223372036854775806", True),
                                               ("9223372036854775808", False), ("-9223372036854775808", False)])
def test_initial_height_at_the_int64_edge(tendermint_verdict, height: str, valid: bool) -> None:  # noqa: F811
    doc = dict(BASE, initial_height=height)
    data = json.dumps(doc).encode()
    assert agree(tendermint_verdict, data) is valid
    if height == "9223372036854775807":
        report = validate_genesis(data, "g.json")
        assert "initial_height" in report.errors[0] and "node start" in report.errors[0]


def card(i: int) -> MemberCard:
    pub = base64.b64encode(bytes(SigningKey(bytes([i + 7]) * 32).verify_key)).decode()
    return MemberCard(f"member {i}", f"n{i}.example.org", 26656, pub, f"{i:040x}")


@pytest.mark.parametrize(("levels", "valid"), [(9999, True), (10000, False)])
def test_app_state_as_deep_as_go_reads(tendermint_verdict, levels: int, valid: bool) -> None:  # noqa: F811
    # the document itself is one level: app_state nested 9,999 deep makes Go's 10,000
    data = replaced('"app_hash": ""', '"app_hash": "", "app_state": ' + "[" * levels + "]" * levels)
    assert agree(tendermint_verdict, data) is valid
    if valid:  # Tendermint's 2-space layout of 9,999 levels is 200 MB: refused by the size rule, not a crash
        with pytest.raises(InputError, match="above the"):
            add_to_genesis(data, [card(1)], "g.json")


def test_add_keeps_an_app_state_deeper_than_pythons_recursion_limit(tendermint_verdict) -> None:  # noqa: F811
    data = replaced('"app_hash": ""', '"app_hash": "", "app_state": ' + "[" * 1500 + "7" + "]" * 1500)
    added = add_to_genesis(data, [card(1)], "g.json").encode()
    assert agree(tendermint_verdict, added) is True
    report = validate_genesis(added, "g.json")
    assert report.validators[-1].name == "member 1" and added.count(b"[") == 1500 + 2  # + validators, types


def test_a_deep_value_in_an_error_message_is_shown_without_recursion(tendermint_verdict) -> None:  # noqa: F811
    deep = "[" * 5000 + "]" * 5000
    data = replaced('"power": "10"', f'"power": {deep}')
    assert agree(tendermint_verdict, data) is False
    assert "power" in validate_genesis(data, "g.json").errors[0]


def plain_card(tmp_path: Path, host: str) -> Path:
    node = SigningKey(bytes([3]) * 32)
    pub = base64.b64encode(bytes(SigningKey(bytes([4]) * 32).verify_key)).decode()
    path = tmp_path / "card.txt"
    path.write_text(f"{host} {pub} {node_id_of(bytes(node.verify_key))}\n")
    return path


@pytest.mark.e2e  # starts a real tendermint node
def test_a_zoned_ipv6_hostname_is_refused_and_tendermint_cannot_dial_it(tmp_path: Path) -> None:
    checks = read_cards(plain_card(tmp_path, "fe80::1%lo"))
    assert not checks[0].valid and "zone" in " ".join(checks[0].errors)
    assert read_cards(plain_card(tmp_path, "fe80::1"))[0].valid  # the same address without a zone is a card
    # Tendermint 0.34 takes a zoned entry into persistent_peers, drops the zone and dials what is left (here a
    # loopback address, so nothing leaves this machine): the zone a card names never reaches the dialer
    home = tmp_path / "node"
    subprocess.run([tendermint_binary(), "init", "--home", str(home)], capture_output=True, check=True, timeout=60)
    node = tmnet.Node(home, free_port(), tmp_path / "node.log")
    port = free_port()
    peer = f"{'ab' * 20}@[::1%lo]:{port}"
    try:
        tmnet.start(node, "--p2p.laddr", f"tcp://127.0.0.1:{free_port()}", "--rpc.laddr",
                    f"tcp://127.0.0.1:{node.rpc_port}", "--p2p.persistent_peers", peer)
        wait_until(lambda: f"dial tcp [::1]:{port}" in node.log.read_text(errors="replace"), 60,
                   "the node dials the peer without its zone", [node])
    finally:
        tmnet.stop(node)
