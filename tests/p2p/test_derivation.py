"""The pieces of the secret connection against published vectors: Keccak-f[1600] (through SHA3, which is
Keccak plus padding), Merlin's own transcript tests (gtank/merlin merlin_test.go, the same vectors as
dalek-cryptography/merlin), and Tendermint's golden key-derivation vectors
(p2p/conn TestDeriveSecretsAndChallengeGolden, tests/fixtures/tendermint)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from pmwizard.checks.merlin import Strobe128, Transcript, keccak_f1600
from pmwizard.checks.secretconn import KEY_AND_CHALLENGE_INFO, derive_challenge, derive_secrets

GOLDEN = Path(__file__).parent.parent / "fixtures" / "tendermint" / "secret-connection-derive-secrets-golden.csv"


def _sha3_256(message: bytes) -> bytes:
    """SHA3-256 from our permutation: rate 136, pad 0x06 ... 0x80 (enough for short messages)."""
    assert len(message) < 135
    st = bytearray(200)
    block = bytearray(message) + b"\x06" + bytes(135 - len(message))
    block[135] |= 0x80
    for i, b in enumerate(block):
        st[i] ^= b
    keccak_f1600(st)
    return bytes(st[:32])


@pytest.mark.parametrize("message", [b"", b"abc", b"pmwizard" * 16])
def test_keccak_permutation_matches_sha3(message: bytes) -> None:
    assert _sha3_256(message) == hashlib.sha3_256(message).digest()


def test_merlin_simple_transcript() -> None:
    t = Transcript(b"test protocol")
    t.append_message(b"some label", b"some data")
    assert t.challenge_bytes(b"challenge", 32).hex() == (
        "d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615")


def test_merlin_complex_transcript() -> None:
    # 32 rounds with 1 KiB messages: crosses the 166-byte STROBE rate many times
    t = Transcript(b"test protocol")
    t.append_message(b"step1", b"some data")
    data = bytes([99]) * 1024
    challenge = b""
    for _ in range(32):
        challenge = t.challenge_bytes(b"challenge", 32)
        t.append_message(b"bigdata", data)
        t.append_message(b"challengedata", challenge)
    assert challenge.hex() == "a8c933f54fae76e3f9bea93648c1308e7dfa2152dd51674ff3ca438351cf003c"


def test_strobe_refuses_a_continuation_of_another_operation() -> None:
    s = Strobe128(b"x")
    s.meta_ad(b"label", more=False)
    with pytest.raises(ValueError):
        s.ad(b"data", more=True)


def _golden() -> list[list[str]]:
    with GOLDEN.open() as f:
        return [row for row in csv.reader(f) if row]


def test_golden_file_is_complete() -> None:
    rows = _golden()
    assert len(rows) == 32
    assert {r[1] for r in rows} == {"true", "false"}


@pytest.mark.parametrize("row", _golden(), ids=lambda r: r[0][:8])
def test_derive_secrets_golden(row: list[str]) -> None:
    dh, loc_is_least, want_recv, want_send, old_challenge = row
    recv, send = derive_secrets(bytes.fromhex(dh), loc_is_least == "true")
    assert (recv.hex(), send.hex()) == (want_recv, want_send)
    # The same HKDF stream's third block was the pre-0.33 challenge: same salt and info, proven byte for byte.
    stream = HKDF(algorithm=hashes.SHA256(), length=96, salt=None, info=KEY_AND_CHALLENGE_INFO).derive(
        bytes.fromhex(dh))
    assert stream[64:].hex() == old_challenge


def test_challenge_does_not_depend_on_who_computes_it() -> None:
    a, b, dh = bytes(range(32)), bytes(range(1, 33)), hashlib.sha256(b"dh").digest()
    assert derive_challenge(a, b, dh) == derive_challenge(b, a, dh)
    assert derive_challenge(a, b, dh) != derive_challenge(a, b, hashlib.sha256(b"other").digest())
