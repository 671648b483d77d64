"""The few protobuf messages of Tendermint 0.34's P2P handshake, encoded and decoded by hand
(proto/tendermint/p2p/types.proto and conn.proto, gogoproto's wire format), plus the uvarint length
prefix of protoio's delimited streams.

    BytesValue      { bytes value = 1; }                       the ephemeral X25519 key
    AuthSigMessage  { PublicKey pub_key = 1; bytes sig = 2; }  PublicKey { oneof { bytes ed25519 = 1; ... } }
    DefaultNodeInfo { ProtocolVersion protocol_version = 1; string default_node_id = 2; string listen_addr = 3;
                      string network = 4; string version = 5; bytes channels = 6; string moniker = 7;
                      DefaultNodeInfoOther other = 8; }
    ProtocolVersion { uint64 p2p = 1; uint64 block = 2; uint64 app = 3; }
    DefaultNodeInfoOther { string tx_index = 1; string rpc_address = 2; }
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5


class ProtoError(ValueError):
    """Bytes that are not the expected protobuf message."""


def encode_uvarint(n: int) -> bytes:
    if n < 0:
        raise ValueError("uvarint of a negative number")
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode_uvarint(data: bytes, pos: int = 0) -> tuple[int, int]:
    """(value, next position); at most 10 bytes, like Go's binary.Uvarint."""
    value = shift = 0
    for i in range(pos, min(len(data), pos + 10)):
        b = data[i]
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            if value >> 64:
                raise ProtoError("varint overflows 64 bits")
            return value, i + 1
        shift += 7
    raise ProtoError("truncated or overlong varint")


def delimited(message: bytes) -> bytes:
    """protoio's length-delimited framing: uvarint(len) || message."""
    return encode_uvarint(len(message)) + message


def fields(data: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) of every field; varints as int, length-delimited as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = decode_uvarint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtoError("field number 0")
        if wire == VARINT:
            value, pos = decode_uvarint(data, pos)
            yield number, wire, value
        elif wire == LEN:
            size, pos = decode_uvarint(data, pos)
            if pos + size > len(data):
                raise ProtoError(f"field {number} runs past the end of the message")
            yield number, wire, data[pos:pos + size]
            pos += size
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if pos + size > len(data):
                raise ProtoError(f"field {number} runs past the end of the message")
            pos += size  # no message here uses fixed-width fields: skip, as protobuf does unknown fields
        else:
            raise ProtoError(f"unsupported wire type {wire}")


def _key(number: int, wire: int) -> bytes:
    return encode_uvarint(number << 3 | wire)


def _bytes_field(number: int, value: bytes) -> bytes:
    # proto3 omits empty scalars; gogoproto does the same for strings and bytes
    return _key(number, LEN) + encode_uvarint(len(value)) + value if value else b""


def _message_field(number: int, value: bytes) -> bytes:
    # nullable=false sub-messages are always written, even empty
    return _key(number, LEN) + encode_uvarint(len(value)) + value


def _varint_field(number: int, value: int) -> bytes:
    return _key(number, VARINT) + encode_uvarint(value) if value else b""


def _expect_len(number: int, wire: int, value: int | bytes) -> bytes:
    if wire != LEN or not isinstance(value, bytes):
        raise ProtoError(f"field {number}: expected length-delimited, got wire type {wire}")
    return value


def _text(number: int, wire: int, value: int | bytes) -> str:
    try:
        return _expect_len(number, wire, value).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtoError(f"field {number}: not UTF-8") from exc


def encode_bytes_value(value: bytes) -> bytes:
    """google.protobuf.BytesValue."""
    return _bytes_field(1, value)


def decode_bytes_value(data: bytes) -> bytes:
    out = b""
    for number, wire, value in fields(data):
        if number == 1:
            out = _expect_len(number, wire, value)
    return out


def encode_auth_sig(ed25519_pub: bytes, sig: bytes) -> bytes:
    return _message_field(1, _bytes_field(1, ed25519_pub)) + _bytes_field(2, sig)


def decode_auth_sig(data: bytes) -> tuple[bytes, bytes]:
    """(ed25519 public key, signature). Another key type is a ProtoError: 0.34 accepts only ed25519."""
    pub = sig = b""
    key_type = None
    for number, wire, value in fields(data):
        if number == 1:
            for knum, kwire, kval in fields(_expect_len(number, wire, value)):
                key_type = knum
                if knum == 1:
                    pub = _expect_len(knum, kwire, kval)
        elif number == 2:
            sig = _expect_len(number, wire, value)
    if key_type != 1:
        raise ProtoError("AuthSigMessage without an ed25519 public key")
    return pub, sig


@dataclass(frozen=True)
class NodeInfo:
    """DefaultNodeInfo as a node announces itself (self-reported; only the key behind it is proven)."""

    p2p_protocol: int
    block_protocol: int
    app_protocol: int
    default_node_id: str
    listen_addr: str
    network: str
    version: str
    channels: bytes
    moniker: str
    tx_index: str = ""
    rpc_address: str = ""


def encode_node_info(info: NodeInfo) -> bytes:
    pv = (_varint_field(1, info.p2p_protocol) + _varint_field(2, info.block_protocol)
          + _varint_field(3, info.app_protocol))
    other = _bytes_field(1, info.tx_index.encode()) + _bytes_field(2, info.rpc_address.encode())
    return (_message_field(1, pv) + _bytes_field(2, info.default_node_id.encode())
            + _bytes_field(3, info.listen_addr.encode()) + _bytes_field(4, info.network.encode())
            + _bytes_field(5, info.version.encode()) + _bytes_field(6, info.channels)
            + _bytes_field(7, info.moniker.encode()) + _message_field(8, other))


def decode_node_info(data: bytes) -> NodeInfo:
    versions = {1: 0, 2: 0, 3: 0}
    text: dict[int, str] = {}
    other = {1: "", 2: ""}
    channels = b""
    for number, wire, value in fields(data):
        if number == 1:
            for vnum, vwire, vval in fields(_expect_len(number, wire, value)):
                if vnum in versions:
                    if vwire != VARINT or not isinstance(vval, int):
                        raise ProtoError(f"protocol_version field {vnum}: expected a varint")
                    versions[vnum] = vval
        elif number in (2, 3, 4, 5, 7):
            text[number] = _text(number, wire, value)
        elif number == 6:
            channels = _expect_len(number, wire, value)
        elif number == 8:
            for onum, owire, oval in fields(_expect_len(number, wire, value)):
                if onum in other:
                    other[onum] = _text(onum, owire, oval)
    return NodeInfo(p2p_protocol=versions[1], block_protocol=versions[2], app_protocol=versions[3],
                    default_node_id=text.get(2, ""), listen_addr=text.get(3, ""), network=text.get(4, ""),
                    version=text.get(5, ""), channels=channels, moniker=text.get(7, ""),
                    tx_index=other[1], rpc_address=other[2])
