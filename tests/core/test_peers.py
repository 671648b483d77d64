"""Tendermint's own peer-address cases (p2p/netaddress_test.go and source reading): all 36 give the same
outcome, the same normalised string, and an error that contains Tendermint's wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmwizard.core.peers import PeerAddress, is_private_or_loopback, parse_peer_address, peers_line

CASES = json.loads((Path(__file__).parents[1] / "fixtures/tendermint/peer-address-cases.json").read_text())


def _key_phrase(error: str) -> str:
    """The part of the fixture's error text that is Tendermint's literal wording (it abbreviates with '...')."""
    text = error.split(" (split on @")[0].split(" (ErrNetAddressLookup")[0]
    pieces = [p for p in text.replace("(...)", "...").split("...") if p.strip()]
    return max(pieces, key=len).strip()


def test_there_are_36_cases() -> None:
    assert len(CASES) == 36


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_peer_case(case: dict) -> None:
    if case["accepted"]:
        peer = parse_peer_address(case["input"])
        assert str(peer) == case["string"]
    else:
        with pytest.raises(ValueError) as err:
            parse_peer_address(case["input"])
        assert _key_phrase(case["error"]) in str(err.value)


def test_peers_line_lowercases_brackets_and_dedups() -> None:
    a = parse_peer_address("DEADBEEFDEADBEEFDEADBEEFDEADBEEFDEADBEEF@[::1]:26656")
    b = PeerAddress("deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", "::1", 26656)
    line = peers_line([a, b, PeerAddress("ab" * 20, "node.example.org", 26656)])
    assert line == "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef@[::1]:26656," + "ab" * 20 + "@node.example.org:26656"
    for entry in line.split(","):
        assert str(parse_peer_address(entry)) == entry


@pytest.mark.parametrize(("host", "private"), [
    ("127.0.0.1", True), ("::1", True), ("10.1.2.3", True), ("192.168.0.7", True), ("100.64.3.3", True),
    ("fd00::1", True), ("localhost", True), ("8.8.8.8", False), ("node.example.org", False), ("2001:4860::1", False)])
def test_private_or_loopback(host: str, private: bool) -> None:
    assert is_private_or_loopback(host) is private
