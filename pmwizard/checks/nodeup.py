"""Is the node up? What the start step watches after Monit starts it: the RPC answering (/status: height,
catching up; /net_info: peers connected) and Planetmint's HTTP API answering. One snapshot per call, read
through checks/httpget.py; the wizard polls it until the node has peers and new blocks, or gives up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from pmwizard.checks.httpget import HttpTrouble, http_get

DEFAULT_RPC = "http://127.0.0.1:26657"
DEFAULT_API = "http://127.0.0.1:9984/"


@dataclass(frozen=True)
class NodeProgress:
    """One look at the node. `None` where the RPC did not answer."""

    rpc: str  # "answering", or why not
    api: str
    height: int | None = None
    catching_up: bool | None = None
    peers: int | None = None
    chain_id: str | None = None
    node_id: str | None = None

    @property
    def rpc_up(self) -> bool:
        return self.height is not None

    @property
    def api_up(self) -> bool:
        return self.api == "answering"

    def lines(self) -> list[str]:
        """What the operator reads, one aspect per line."""
        if not self.rpc_up:
            return [f"RPC     {self.rpc}", f"API     {self.api}"]
        blocks = f"height {self.height}" + (", catching up" if self.catching_up else "")
        return [f"RPC     answering: chain {self.chain_id}, node {self.node_id}",
                f"peers   {self.peers} connected", f"blocks  {blocks}", f"API     {self.api}"]


def rpc_url_of(home: Path | None) -> str:
    """This node's RPC URL from the home's config.toml `[rpc] laddr` (an any-address listener is asked on
    loopback); the default when the file or the key is missing or unreadable."""
    import tomllib

    if home is None:
        return DEFAULT_RPC
    try:
        rpc = tomllib.loads((home / "config" / "config.toml").read_text(errors="replace")).get("rpc", {})
    except (OSError, tomllib.TOMLDecodeError):
        return DEFAULT_RPC
    laddr = str(rpc.get("laddr", "")) if isinstance(rpc, dict) else ""
    if not laddr.startswith("tcp://") or ":" not in laddr[6:]:
        return DEFAULT_RPC
    host, _, port = laddr[6:].rpartition(":")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host in ("[::]", "::"):
        host = "[::1]"
    return f"http://{host}:{port}"


async def _json(url: str, timeout: float) -> dict:
    reply = await http_get(url, timeout=timeout)
    if reply.status != 200:
        raise HttpTrouble("bad", f"HTTP {reply.status} from {url}")
    doc = reply.json()
    if not isinstance(doc, dict):
        raise HttpTrouble("bad", f"not a JSON object from {url}")
    return doc.get("result", doc) if isinstance(doc.get("result", doc), dict) else doc


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


async def look(rpc_url: str = DEFAULT_RPC, api_url: str = DEFAULT_API, timeout: float = 2.0) -> NodeProgress:
    """One snapshot of the node; never raises for a node that is down (that is what it reports)."""

    async def api() -> str:
        try:
            reply = await http_get(api_url, timeout=timeout)
        except HttpTrouble as exc:
            return f"not answering at {api_url} ({exc.detail})"
        return "answering" if reply.status == 200 else f"HTTP {reply.status} at {api_url}"

    api_task = asyncio.ensure_future(api())
    try:
        status, net = await asyncio.gather(_json(f"{rpc_url}/status", timeout), _json(f"{rpc_url}/net_info", timeout))
    except HttpTrouble as exc:
        return NodeProgress(rpc=f"not answering at {rpc_url} ({exc.detail})", api=await api_task)
    sync = status.get("sync_info") or {}
    info = status.get("node_info") or {}
    return NodeProgress(rpc="answering", api=await api_task, height=_int(sync.get("latest_block_height")),
                        catching_up=bool(sync.get("catching_up")), peers=_int(net.get("n_peers")),
                        chain_id=str(info.get("network") or ""), node_id=str(info.get("id") or ""))
