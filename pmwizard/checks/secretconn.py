"""Tendermint 0.34's SecretConnection (p2p/conn/secret_connection.go) over asyncio streams.

The protocol is symmetric, so the same code serves as the client pmwizard uses and as a peer in tests:
  1. both send an ephemeral X25519 public key (a length-delimited BytesValue) and read the other's;
  2. a Merlin transcript over the two keys (lower first) and the DH secret yields a 32-byte challenge;
     HKDF-SHA256(dh, info=TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN) yields the two
     ChaCha20-Poly1305 keys, which one sends depending on whose ephemeral key sorts first;
  3. from here on data travels in sealed frames: le32(length) || up to 1024 bytes, zero-padded to
     1028 bytes, plus the 16-byte tag; the nonce is 4 zero bytes || le64(frame counter);
  4. both send an AuthSigMessage (ed25519 node key + its signature of the challenge) and verify the other's.
The remote ed25519 key is then authenticated; the node ID is hex(sha256(key)[:20]).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

import nacl.exceptions
import nacl.signing
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pmwizard.checks.merlin import Transcript
from pmwizard.checks.p2p_proto import (
    ProtoError,
    decode_auth_sig,
    decode_bytes_value,
    delimited,
    encode_auth_sig,
    encode_bytes_value,
)

DATA_LEN_SIZE = 4
DATA_MAX_SIZE = 1024
TOTAL_FRAME_SIZE = DATA_MAX_SIZE + DATA_LEN_SIZE  # 1028
AEAD_OVERHEAD = 16
SEALED_FRAME_SIZE = TOTAL_FRAME_SIZE + AEAD_OVERHEAD  # 1044 bytes on the wire per frame

KEY_AND_CHALLENGE_INFO = b"TENDERMINT_SECRET_CONNECTION_KEY_AND_CHALLENGE_GEN"
TRANSCRIPT_LABEL = b"TENDERMINT_SECRET_CONNECTION_TRANSCRIPT_HASH"
LABEL_LOWER = b"EPHEMERAL_LOWER_PUBLIC_KEY"
LABEL_UPPER = b"EPHEMERAL_UPPER_PUBLIC_KEY"
LABEL_DH = b"DH_SECRET"
LABEL_MAC = b"SECRET_CONNECTION_MAC"

# A real peer's ephemeral-key message is 34 bytes; anything far larger is not Tendermint.
MAX_EPHEMERAL_MESSAGE = 64
MAX_AUTH_SIG_MESSAGE = 1024


class HandshakeFailed(Exception):
    """The other side does not speak Tendermint's secret connection (or fails to authenticate)."""


class PeerClosed(HandshakeFailed):
    """The connection ended before the exchange was complete; `received` raw bytes had arrived by then."""

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


def node_id_of(ed25519_pub: bytes) -> str:
    """Tendermint's node ID: lower hex of the first 20 bytes of sha256(public key)."""
    return hashlib.sha256(ed25519_pub).digest()[:20].hex()


def derive_secrets(dh_secret: bytes, loc_is_least: bool) -> tuple[bytes, bytes]:
    """(receive key, send key), as deriveSecrets: HKDF-SHA256 without salt, 96 bytes, the first two 32-byte
    blocks are the keys (the third was the pre-0.33 challenge and is unused)."""
    out = HKDF(algorithm=hashes.SHA256(), length=96, salt=None, info=KEY_AND_CHALLENGE_INFO).derive(dh_secret)
    first, second = out[:32], out[32:64]
    return (first, second) if loc_is_least else (second, first)


def derive_challenge(loc_eph_pub: bytes, rem_eph_pub: bytes, dh_secret: bytes) -> bytes:
    """The 32 bytes both sides sign: a Merlin transcript of the sorted ephemeral keys and the DH secret."""
    lo, hi = sorted((loc_eph_pub, rem_eph_pub))
    t = Transcript(TRANSCRIPT_LABEL)
    t.append_message(LABEL_LOWER, lo)
    t.append_message(LABEL_UPPER, hi)
    t.append_message(LABEL_DH, dh_secret)
    return t.challenge_bytes(LABEL_MAC, 32)


def _nonce(counter: int) -> bytes:
    return bytes(4) + counter.to_bytes(8, "little")


class SecretConnection:
    """An authenticated, encrypted byte stream; build it with `open_secret_connection`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, recv_key: bytes,
                 send_key: bytes, received: int) -> None:
        self._reader = reader
        self._writer = writer
        self._recv = ChaCha20Poly1305(recv_key)
        self._send = ChaCha20Poly1305(send_key)
        self._recv_counter = 0
        self._send_counter = 0
        self._buffer = bytearray()
        self.received = received  # raw bytes read from the socket so far
        self.remote_pub_key = b""

    async def write(self, data: bytes) -> None:
        for start in range(0, max(len(data), 1), DATA_MAX_SIZE):
            chunk = data[start:start + DATA_MAX_SIZE]
            frame = len(chunk).to_bytes(DATA_LEN_SIZE, "little") + chunk
            frame += bytes(TOTAL_FRAME_SIZE - len(frame))
            self._writer.write(self._send.encrypt(_nonce(self._send_counter), frame, None))
            self._send_counter += 1
        await _drain(self._writer, self.received)

    async def _read_frame(self) -> None:
        sealed = await _read_raw(self._reader, SEALED_FRAME_SIZE, self.received)
        self.received += len(sealed)
        try:
            frame = self._recv.decrypt(_nonce(self._recv_counter), sealed, None)
        except InvalidTag as exc:  # wrong keys or a corrupted stream
            raise HandshakeFailed("failed to decrypt a secret connection frame") from exc
        self._recv_counter += 1
        length = int.from_bytes(frame[:DATA_LEN_SIZE], "little")
        if length > DATA_MAX_SIZE:
            raise HandshakeFailed("frame length is greater than 1024")
        self._buffer += frame[DATA_LEN_SIZE:DATA_LEN_SIZE + length]

    async def read_exactly(self, n: int) -> bytes:
        while len(self._buffer) < n:
            await self._read_frame()
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        return out

    async def read_delimited(self, max_size: int) -> bytes:
        """One protoio length-delimited message (uvarint length, then the message)."""

        async def next_byte() -> int:
            return (await self.read_exactly(1))[0]

        size = await _read_length(next_byte)
        if size > max_size:
            raise HandshakeFailed(f"message of {size} bytes exceeds the {max_size}-byte limit")
        return await self.read_exactly(size)

    async def write_delimited(self, message: bytes) -> None:
        await self.write(delimited(message))


async def _drain(writer: asyncio.StreamWriter, received: int) -> None:
    try:
        await writer.drain()
    except ConnectionError as exc:  # the peer closed first: the same as an end of stream
        raise PeerClosed(f"the connection was closed ({exc.strerror or exc})", received) from None


async def _read_raw(reader: asyncio.StreamReader, n: int, received: int) -> bytes:
    try:
        return await reader.readexactly(n)
    except asyncio.IncompleteReadError as exc:
        raise PeerClosed(f"the connection closed after {received + len(exc.partial)} bytes",
                         received + len(exc.partial)) from None
    except ConnectionError as exc:
        raise PeerClosed(f"the connection was reset ({exc.strerror or exc})", received) from None


async def _read_length(next_byte: Callable[[], Awaitable[int]]) -> int:
    """A protoio length prefix (uvarint, at most 10 bytes), read one byte at a time from the stream."""
    size = shift = 0
    for _ in range(10):
        b = await next_byte()
        size |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return size
    raise HandshakeFailed("overlong length prefix")


async def _read_raw_delimited(reader: asyncio.StreamReader, max_size: int) -> tuple[bytes, int]:
    """The ephemeral-key message, before encryption: (message, raw bytes read)."""
    received = 0

    async def next_byte() -> int:
        nonlocal received
        b = (await _read_raw(reader, 1, received))[0]
        received += 1
        return b

    size = await _read_length(next_byte)
    if size > max_size:
        raise HandshakeFailed(f"the first message announces {size} bytes, a Tendermint peer sends 34")
    body = await _read_raw(reader, size, received)
    return body, received + size


async def open_secret_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                                 node_key: nacl.signing.SigningKey) -> SecretConnection:
    """Run the handshake as MakeSecretConnection does, proving `node_key`; the result's `remote_pub_key` is
    the peer's authenticated ed25519 key. Raises HandshakeFailed (PeerClosed when the stream ends)."""
    eph = X25519PrivateKey.generate()
    loc_eph_pub = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    # Tendermint sends and reads concurrently; sending first and then reading is the same on the wire.
    writer.write(delimited(encode_bytes_value(loc_eph_pub)))
    await _drain(writer, 0)
    body, received = await _read_raw_delimited(reader, MAX_EPHEMERAL_MESSAGE)
    try:
        rem_eph_pub = decode_bytes_value(body)
    except ProtoError as exc:
        raise HandshakeFailed(f"the first message is not an ephemeral key ({exc})") from None
    if len(rem_eph_pub) != 32:
        raise HandshakeFailed(f"the ephemeral key has {len(rem_eph_pub)} bytes, not 32")
    try:
        # cryptography refuses an all-zero shared secret, i.e. a low-order point (Go's X25519 does too)
        dh_secret = eph.exchange(X25519PublicKey.from_public_bytes(rem_eph_pub))
    except ValueError:
        raise HandshakeFailed("detected low order point from remote peer") from None
    loc_is_least = loc_eph_pub < rem_eph_pub  # equal keys: Go's sort32 makes the local one the upper
    recv_key, send_key = derive_secrets(dh_secret, loc_is_least)
    challenge = derive_challenge(loc_eph_pub, rem_eph_pub, dh_secret)
    sc = SecretConnection(reader, writer, recv_key, send_key, received)

    signature = node_key.sign(challenge).signature
    await sc.write_delimited(encode_auth_sig(bytes(node_key.verify_key), signature))
    try:
        rem_pub, rem_sig = decode_auth_sig(await sc.read_delimited(MAX_AUTH_SIG_MESSAGE))
    except ProtoError as exc:
        raise HandshakeFailed(f"bad AuthSigMessage ({exc})") from None
    if len(rem_pub) != 32:
        raise HandshakeFailed(f"the ed25519 key has {len(rem_pub)} bytes, not 32")
    try:
        nacl.signing.VerifyKey(rem_pub).verify(challenge, rem_sig)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        raise HandshakeFailed("challenge verification failed") from None
    sc.remote_pub_key = rem_pub
    return sc
