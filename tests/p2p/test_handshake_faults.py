"""p2p.handshake against peers on real loopback sockets: Python peers speaking the real protocol with one
thing wrong each, a server answering garbage, a silent one, a refused port, a full accept queue."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pmwizard.checks.finding import Status
from pmwizard.checks.p2p import check_p2p_handshake, handshake
from pmwizard.checks.p2p_proto import (
    decode_bytes_value,
    delimited,
    encode_auth_sig,
    encode_bytes_value,
    encode_uvarint,
)
from pmwizard.checks.secretconn import SecretConnection, derive_secrets
from tests.support.faults import full_backlog, http_text_server, refused_port, silent_tcp

from .codes import seen
from .peers import PythonPeer, python_peer, tendermint_like


async def test_python_peer_ok_and_the_client_sends_nothing_after_the_handshake() -> None:
    async with python_peer(tendermint_like(moniker="m" * 3000)) as peer:  # NodeInfo spans 3 frames
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, expect_node_id=peer.node_id.upper(),
                                           expect_chain_id="python-chain", timeout=5))
        await asyncio.wait_for(_until(lambda: peer.after_handshake), 5)
    assert (f.status, f.code) == (Status.PASS, "ok"), f.to_json()
    assert f.evidence["node_id"] == peer.node_id and f.evidence["moniker"] == "m" * 3000
    assert f.evidence["protocol_version"] == {"p2p": 8, "block": 11, "app": 1}
    assert peer.after_handshake == [b""], "pmwizard must close after the peer's NodeInfo, sending nothing more"
    assert not peer.errors


async def _until(cond: Callable[[], object]) -> None:
    """Poll; callers bound it with wait_for."""
    while not cond():  # noqa: ASYNC110 - cond is any predicate on peer state, which has no event to await
        await asyncio.sleep(0.01)


@pytest.mark.parametrize(("changes", "status"), [({"block_protocol": 10}, Status.FAIL),
                                                 ({"p2p_protocol": 7}, Status.WARN)])
async def test_other_protocol_versions(changes: dict, status: Status) -> None:
    async with python_peer(tendermint_like(**changes)) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, expect_chain_id="python-chain", timeout=5))
    assert (f.status, f.code) == (status, "version_mismatch"), f.to_json()
    assert "block 11, p2p 8" in f.message


async def test_wrong_node_id_and_wrong_chain() -> None:
    async with python_peer(tendermint_like()) as peer:
        other = PythonPeer().node_id
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, expect_node_id=other, timeout=5))
        g = seen(await check_p2p_handshake("127.0.0.1", peer.port, expect_chain_id="planetmint-x", timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "node_id_mismatch")
    assert (f.evidence["node_id"], f.evidence["expected_node_id"]) == (peer.node_id, other)
    assert peer.node_id in f.message and other in f.message
    assert (g.status, g.code) == (Status.FAIL, "chain_id_mismatch")
    assert (g.evidence["network"], g.evidence["expected_chain_id"]) == ("python-chain", "planetmint-x")


async def test_node_info_claiming_another_id_is_not_tendermint() -> None:
    async with python_peer(tendermint_like(default_node_id="ab" * 20)) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "not_tendermint")
    assert "ab" * 20 in f.message and f.evidence["node_id"] == peer.node_id


async def _exchange_keys(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[bytes, bytes]:
    """The node's side of the real ephemeral key exchange: (receive key, send key) for the frames after it."""
    eph = X25519PrivateKey.generate()
    pub = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    writer.write(delimited(encode_bytes_value(pub)))
    size = (await reader.readexactly(1))[0]
    rem = decode_bytes_value(await reader.readexactly(size))
    return derive_secrets(eph.exchange(X25519PublicKey.from_public_bytes(rem)), pub < rem)


async def _wrong_signature(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
    """The real key exchange and key derivation, then a signature over something else than the challenge."""
    recv, send = await _exchange_keys(reader, writer)
    sc = SecretConnection(reader, writer, recv, send, 0)
    await sc.write_delimited(encode_auth_sig(bytes(peer.key.verify_key), peer.key.sign(b"not it").signature))
    await reader.read()


async def test_signature_not_over_the_challenge_is_refused() -> None:
    async with python_peer(_wrong_signature) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, timeout=5))
    # the client decrypted the peer's AuthSig frame: both sides derived the same keys
    assert (f.status, f.code) == (Status.FAIL, "not_tendermint")
    assert "challenge verification failed" in f.message


@pytest.mark.parametrize("point", ["00" * 32, "01" + "00" * 31,
                                   "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"])
async def test_low_order_ephemeral_keys_are_refused(point: str) -> None:
    async def low_order(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
        writer.write(delimited(encode_bytes_value(bytes.fromhex(point))))
        await reader.read()

    async with python_peer(low_order) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "not_tendermint")
    assert "low order point" in f.message


@pytest.mark.parametrize("reply", [b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                                   b"\x22" + b"\x0a\x20" + b"\x00" * 20, b"\xff" * 20])
async def test_garbage_is_not_tendermint(reply: bytes) -> None:
    with http_text_server(reply) as port:
        f = seen(await check_p2p_handshake("127.0.0.1", port, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "not_tendermint"), f.to_json()
    assert f.evidence["stage"] == "handshake"


async def test_silent_server_is_a_timeout_within_the_bound() -> None:
    with silent_tcp() as port:
        start = time.monotonic()
        f = seen(await check_p2p_handshake("127.0.0.1", port, timeout=1.0))
        elapsed = time.monotonic() - start
    assert (f.status, f.code) == (Status.ERROR, "timeout")
    assert f.evidence["stage"] == "handshake" and "handshake" in f.message
    assert elapsed < 3.0


async def test_full_accept_queue_is_a_connect_timeout() -> None:
    with full_backlog() as port:
        start = time.monotonic()
        f = seen(await check_p2p_handshake("127.0.0.1", port, timeout=1.0))
        elapsed = time.monotonic() - start
    assert (f.status, f.code, f.evidence["stage"]) == (Status.ERROR, "timeout", "connect")
    assert "ufw allow" in f.fix and elapsed < 3.0


async def test_refused_port() -> None:
    with refused_port() as port:
        f = seen(await check_p2p_handshake("127.0.0.1", port, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "refused")
    assert f"tcp://0.0.0.0:{port}" in f.fix


async def test_closed_without_a_word_is_retried_then_a_warning() -> None:
    attempts: list[int] = []

    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
        attempts.append(1)  # like Tendermint's duplicate-IP filter: accept, then close

    async with python_peer(close_at_once) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, timeout=5))
    assert (f.status, f.code) == (Status.WARN, "refused"), f.to_json()
    assert "allow_duplicate_ip" in f.message and len(attempts) == 3


async def test_a_silent_close_then_a_real_handshake_succeeds() -> None:
    # doctor's net.p2p probe can hold the node's one connection per IP for a moment: the retry gets through
    calls: list[int] = []
    real = tendermint_like()

    async def first_closes(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
        calls.append(1)
        if len(calls) > 1:
            await real(reader, writer, peer)

    async with python_peer(first_closes) as peer:
        info = await handshake("127.0.0.1", peer.port, timeout=5)
    assert info.node_id == peer.node_id and len(calls) == 2



async def test_ipv6_loopback() -> None:
    async with python_peer(tendermint_like(), host="::1") as peer:
        f = seen(await check_p2p_handshake("::1", peer.port, expect_node_id=peer.node_id, timeout=5))
    assert (f.status, f.code, f.target) == (Status.PASS, "ok", f"[::1]:{peer.port}")


@pytest.mark.parametrize("seed", range(25))
async def test_random_first_bytes_never_crash_and_never_pass(seed: int) -> None:
    rng = random.Random(seed)
    reply = rng.randbytes(rng.choice([1, 2, 3, 33, 34, 35, 200, 1044, 5000]))
    if seed % 5 == 0:  # a plausible start: the 34-byte ephemeral message framing, then noise
        reply = b"\x22\x0a\x20" + reply
    with http_text_server(reply) as port:
        f = seen(await check_p2p_handshake("127.0.0.1", port, timeout=3))
    assert f.code in ("not_tendermint", "refused") and f.status != Status.PASS, f.to_json()


@pytest.mark.parametrize("after", ["noise", "huge_length"])
async def test_hostile_after_the_key_exchange(after: str) -> None:
    """A correct ephemeral key exchange, then a frame of noise, or a valid frame announcing a 2**40-byte
    AuthSig: refused without reading it."""
    async def hostile(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
        recv, send = await _exchange_keys(reader, writer)
        if after == "noise":
            writer.write(random.Random(1).randbytes(1044))
        else:
            await SecretConnection(reader, writer, recv, send, 0).write(encode_uvarint(2**40))
        await reader.read()

    async with python_peer(hostile) as peer:
        f = seen(await check_p2p_handshake("127.0.0.1", peer.port, timeout=5))
    assert (f.status, f.code) == (Status.FAIL, "not_tendermint"), f.to_json()
    assert ("decrypt" if after == "noise" else "exceeds") in f.message
