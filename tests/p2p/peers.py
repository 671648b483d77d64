"""Peers written in Python on real loopback sockets, for the cases a real Tendermint never produces
(another block protocol, a forged NodeInfo, a bad signature, a low-order key). The secret connection is
symmetric, so pmwizard's own implementation plays the node's side; a test hands it the node's behaviour.

    async with python_peer(behaviour) as peer:   # peer.port; peer.after_handshake: what the client sent later
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import nacl.signing

from pmwizard.checks.p2p_proto import NodeInfo, encode_node_info
from pmwizard.checks.secretconn import node_id_of, open_secret_connection

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "PythonPeer"], Awaitable[None]]


@dataclass
class PythonPeer:
    port: int = 0
    key: nacl.signing.SigningKey = field(default_factory=nacl.signing.SigningKey.generate)
    after_handshake: list[bytes] = field(default_factory=list)  # raw bytes the client sent after our NodeInfo
    errors: list[BaseException] = field(default_factory=list)

    @property
    def node_id(self) -> str:
        return node_id_of(bytes(self.key.verify_key))


def node_info(peer: PythonPeer, **changes: object) -> NodeInfo:
    base: dict[str, object] = {
        "p2p_protocol": 8, "block_protocol": 11, "app_protocol": 1, "default_node_id": peer.node_id,
        "listen_addr": f"tcp://127.0.0.1:{peer.port}", "network": "python-chain", "version": "0.34.35",
        "channels": bytes.fromhex("40202122233038606100"), "moniker": "python-peer", "tx_index": "on",
        "rpc_address": "tcp://127.0.0.1:26657"}
    return NodeInfo(**{**base, **changes})  # type: ignore[arg-type]


def tendermint_like(**changes: object) -> Behaviour:
    """Handshake, send a NodeInfo (with `changes`), then record whatever the client sends until it closes."""
    async def run(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, peer: PythonPeer) -> None:
        sc = await open_secret_connection(reader, writer, peer.key)
        await sc.write_delimited(encode_node_info(node_info(peer, **changes)))
        peer.after_handshake.append(await reader.read())  # until EOF
    return run


@contextlib.asynccontextmanager
async def python_peer(behaviour: Behaviour, host: str = "127.0.0.1") -> AsyncIterator[PythonPeer]:
    peer = PythonPeer()
    tasks: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.add(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await behaviour(reader, writer, peer)
        except Exception as exc:  # kept for the test to inspect
            peer.errors.append(exc)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, 0)
    peer.port = server.sockets[0].getsockname()[1]
    try:
        yield peer
    finally:
        server.close()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
