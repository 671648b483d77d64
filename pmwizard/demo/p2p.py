"""The demo members' P2P ports: each answers Tendermint 0.34's handshake with its own node key and a NodeInfo
on the demo chain, the way a real node greets a dialer, then waits for the dialer to close. So the wizard's
join and troubleshoot steps verify real node IDs in the demo. Loopback only, a thread of its own."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from pmwizard.checks.p2p_proto import NodeInfo, encode_node_info
from pmwizard.checks.secretconn import HandshakeFailed, open_secret_connection
from pmwizard.core.keys import KeyPair, load_node_key, node_id_of

DEMO_CHAIN = "demo-chain"


class _Signer:
    """What open_secret_connection needs of a node key, signing inside pmwizard.core.keys."""

    def __init__(self, pair: KeyPair) -> None:
        self.verify_key = pair.pub
        self._pair = pair

    def sign(self, message: bytes) -> SimpleNamespace:
        return SimpleNamespace(signature=self._pair.sign(message))


@dataclass
class DemoNode:
    home: Path
    moniker: str
    port: int = 0


class DemoPeers:
    """`DemoPeers(nodes).start()` binds every node on 127.0.0.1 (port 0: a free one, written back to the node).
    `delay`: seconds each node waits before its side of the handshake (a far-away node, for the benchmarks)."""

    def __init__(self, nodes: list[DemoNode], chain_id: str = DEMO_CHAIN, delay: float = 0.0) -> None:
        self.nodes = nodes
        self.chain_id = chain_id
        self.delay = delay
        self._loop = asyncio.new_event_loop()
        self._servers: list[asyncio.Server] = []
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> DemoPeers:
        self._thread.start()
        for node in self.nodes:
            asyncio.run_coroutine_threadsafe(self._serve(node), self._loop).result(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            for server in self._servers:
                server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            # a close that takes longer than 5 s is abandoned: the loop is stopped below either way
            with contextlib.suppress(TimeoutError, concurrent.futures.CancelledError):
                asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
        self._loop.close()

    async def _serve(self, node: DemoNode) -> None:
        key = load_node_key(node.home)
        signer = _Signer(key)

        async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                async with asyncio.timeout(10 + self.delay):
                    await asyncio.sleep(self.delay)
                    sc = await open_secret_connection(reader, writer, signer)  # type: ignore[arg-type]
                    info = NodeInfo(p2p_protocol=8, block_protocol=11, app_protocol=1,
                                    default_node_id=node_id_of(key.pub), listen_addr=f"tcp://0.0.0.0:{node.port}",
                                    network=self.chain_id, version="0.34.35", channels=bytes.fromhex(
                                        "40202122233038606100"), moniker=node.moniker, tx_index="on",
                                    rpc_address="tcp://127.0.0.1:26657")
                    await sc.write_delimited(encode_node_info(info))
                    await reader.read()  # the dialer reads our NodeInfo and closes
            except (HandshakeFailed, OSError, TimeoutError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(greet, "127.0.0.1", node.port)
        node.port = int(server.sockets[0].getsockname()[1])
        self._servers.append(server)
