"""The hand-written protobuf of the handshake: Go's wire bytes for known messages, round trips, and
arbitrary bytes never raising anything but ProtoError (a hostile peer chooses these bytes)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmwizard.checks.p2p_proto import (
    NodeInfo,
    ProtoError,
    decode_auth_sig,
    decode_bytes_value,
    decode_node_info,
    decode_uvarint,
    delimited,
    encode_auth_sig,
    encode_bytes_value,
    encode_node_info,
    encode_uvarint,
)


@pytest.mark.parametrize(("n", "wire"), [(0, "00"), (1, "01"), (127, "7f"), (128, "8001"), (300, "ac02"),
                                          (2**64 - 1, "ffffffffffffffffff01")])
def test_uvarint_bytes(n: int, wire: str) -> None:
    assert encode_uvarint(n).hex() == wire
    assert decode_uvarint(bytes.fromhex(wire)) == (n, len(wire) // 2)


def test_uvarint_refuses_overflow_and_truncation() -> None:
    with pytest.raises(ProtoError):
        decode_uvarint(bytes.fromhex("ffffffffffffffffff7f"))
    with pytest.raises(ProtoError):
        decode_uvarint(bytes.fromhex("ff"))


def test_ephemeral_key_message_is_34_bytes_after_a_length_byte() -> None:
    # what gogotypes.BytesValue{Value: key} marshals to, delimited: 22 0a 20 <32 bytes>
    key = bytes(range(32))
    assert delimited(encode_bytes_value(key)) == bytes.fromhex("220a20") + key
    assert decode_bytes_value(encode_bytes_value(key)) == key


def test_auth_sig_round_trip_and_wire_layout() -> None:
    pub, sig = bytes([7]) * 32, bytes([9]) * 64
    wire = encode_auth_sig(pub, sig)
    assert wire == bytes.fromhex("0a220a20") + pub + bytes.fromhex("1240") + sig
    assert decode_auth_sig(wire) == (pub, sig)


def test_auth_sig_with_a_secp256k1_key_is_refused() -> None:
    wire = bytes.fromhex("0a231221") + bytes(33) + bytes.fromhex("1240") + bytes(64)
    with pytest.raises(ProtoError, match="ed25519"):
        decode_auth_sig(wire)


def test_node_info_round_trip() -> None:
    info = NodeInfo(8, 11, 1, "ab" * 20, "tcp://0.0.0.0:26656", "planetmint-abc123", "0.34.35",
                    bytes.fromhex("4020212223303860610040"), "node-1", "on", "tcp://127.0.0.1:26657")
    assert decode_node_info(encode_node_info(info)) == info


def test_unknown_fields_are_skipped() -> None:
    info = NodeInfo(8, 11, 0, "cd" * 20, "tcp://1.2.3.4:26656", "chain", "v", b"\x40", "m")
    extra = bytes.fromhex("48 05  51 0102030405060708  9d01 01020304".replace(" ", ""))  # fields 9, 10, 19
    assert decode_node_info(encode_node_info(info) + extra) == info


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_a_node_info_or_a_proto_error(data: bytes) -> None:
    for decode in (decode_node_info, decode_auth_sig, decode_bytes_value):
        with contextlib.suppress(ProtoError):
            decode(data)


@settings(max_examples=100, deadline=None)
@given(st.builds(NodeInfo, st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1),
                 st.text(max_size=50), st.text(max_size=50), st.text(max_size=50), st.text(max_size=20),
                 st.binary(max_size=16), st.text(max_size=30), st.text(max_size=5), st.text(max_size=30)))
def test_any_node_info_round_trips(info: NodeInfo) -> None:
    assert decode_node_info(encode_node_info(info)) == info
