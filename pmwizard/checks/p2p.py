"""p2p.handshake: speak Tendermint 0.34's own P2P handshake to a member's P2P port and learn its real,
authenticated node ID and its NodeInfo (network = chain_id, moniker, version, listen address).

pmwizard proves nothing about itself beyond a throwaway ed25519 key made for each probe. After reading the
peer's NodeInfo it closes the connection without sending one: Tendermint (transport.go handshake) then
rejects the inbound connection with "handshake failed: EOF", logged at Info level, and never adds pmwizard
as a peer, never takes a peer slot, never puts an address in its address book, never sends it consensus
traffic. Sending a made-up NodeInfo instead would make the node add a peer, gossip our listen address
through PEX, and log an Error ("Stopping peer for error") when we leave.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass
from typing import Any

import nacl.signing

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.p2p_proto import ProtoError, decode_node_info
from pmwizard.checks.secretconn import HandshakeFailed, PeerClosed, node_id_of, open_secret_connection
from pmwizard.core.hostname import host_port

CHECK = "p2p.handshake"
# Tendermint 0.34 (version/version.go): P2PProtocol = 8, BlockProtocol = 11.
P2P_PROTOCOL = 8
BLOCK_PROTOCOL = 11
MAX_NODE_INFO_SIZE = 10240  # p2p.MaxNodeInfoSize()
# Tendermint's duplicate-IP filter closes a connection at once while another one from the same IP is open
# (another check's probe of the same port, this machine's own node), so a silent close is retried twice
# (within the timeout) before it is reported. The doctor dials each P2P port once for net.p2p and this check.
SILENT_CLOSE_RETRIES = (0.1, 0.3)


@dataclass(frozen=True)
class PeerInfo:
    """What a node's P2P port told us. `node_id` and `pub_key` are proven by the secret connection; the
    rest is the NodeInfo the node reports about itself."""

    node_id: str
    pub_key: str  # base64 ed25519, the form of node_key.json and cards
    claimed_node_id: str  # NodeInfo.default_node_id; Tendermint peers reject it unless it equals node_id
    network: str
    moniker: str
    version: str
    listen_addr: str
    p2p_protocol: int
    block_protocol: int
    app_protocol: int
    channels: str  # hex
    tx_index: str
    rpc_address: str

    def to_json(self) -> dict[str, Any]:
        return {
            "node_id": self.node_id, "pub_key": self.pub_key, "claimed_node_id": self.claimed_node_id,
            "network": self.network, "moniker": self.moniker, "version": self.version,
            "listen_addr": self.listen_addr,
            "protocol_version": {"p2p": self.p2p_protocol, "block": self.block_protocol, "app": self.app_protocol},
            "channels": self.channels, "tx_index": self.tx_index, "rpc_address": self.rpc_address,
        }


class HandshakeTrouble(Exception):
    """The handshake did not complete. `code`: refused, timeout or not_tendermint (the catalogue's codes);
    `stage`: connect or handshake; `unreachable`: an OSError other than a refusal (no route, no address);
    `closed`: TCP was accepted and then closed before the peer said anything."""

    def __init__(self, code: str, detail: str, stage: str, unreachable: bool = False, closed: bool = False,
                 reason: str = "") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.stage = stage
        self.unreachable = unreachable
        self.closed = closed
        self.reason = reason  # the OS's words for an unreachable host ("No route to host")


async def _exchange(host: str, port: int, stage: list[str]) -> PeerInfo:
    reader, writer = await asyncio.open_connection(host, port)
    stage[0] = "handshake"
    try:
        sc = await open_secret_connection(reader, writer, nacl.signing.SigningKey.generate())
        try:
            info = decode_node_info(await sc.read_delimited(MAX_NODE_INFO_SIZE))
        except ProtoError as exc:
            raise HandshakeFailed(f"the NodeInfo is not a DefaultNodeInfo ({exc})") from None
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return PeerInfo(
        node_id=node_id_of(sc.remote_pub_key), pub_key=base64.b64encode(sc.remote_pub_key).decode(),
        claimed_node_id=info.default_node_id, network=info.network, moniker=info.moniker,
        version=info.version, listen_addr=info.listen_addr, p2p_protocol=info.p2p_protocol,
        block_protocol=info.block_protocol, app_protocol=info.app_protocol, channels=info.channels.hex(),
        tx_index=info.tx_index, rpc_address=info.rpc_address)


async def handshake(host: str, port: int, timeout: float = 5.0) -> PeerInfo:
    """Connect, run the secret connection handshake with a throwaway key, read the peer's NodeInfo, close.
    The whole exchange, retries included, is bounded by `timeout`. Raises HandshakeTrouble."""
    stage = ["connect"]
    try:
        async with asyncio.timeout(timeout):
            for delay in (*SILENT_CLOSE_RETRIES, None):
                try:
                    return await _exchange(host, port, stage)
                except PeerClosed as exc:
                    if exc.received or delay is None:
                        raise
                stage[0] = "connect"
                await asyncio.sleep(delay)
            raise AssertionError("unreachable")
    except TimeoutError:
        what = "no TCP answer" if stage[0] == "connect" else "no complete handshake"
        raise HandshakeTrouble("timeout", f"{what} within {timeout:g} s", stage[0]) from None
    except ConnectionRefusedError:
        raise HandshakeTrouble("refused", "nothing accepts connections there", stage[0]) from None
    except PeerClosed as exc:
        if exc.received == 0:
            raise HandshakeTrouble(
                "refused", "it accepts TCP connections but closes them before the handshake; a Tendermint node "
                "does this to a connection from an IP it already has a connection with (allow_duplicate_ip = "
                "false, the default), e.g. when this machine's own node is its peer", "handshake",
                closed=True) from None
        raise HandshakeTrouble("not_tendermint", f"not Tendermint's secret connection: {exc}", "handshake") from None
    except HandshakeFailed as exc:
        raise HandshakeTrouble("not_tendermint", f"not Tendermint's secret connection: {exc}", "handshake") from None
    except OSError as exc:
        raise HandshakeTrouble("refused", f"cannot reach it: {exc.strerror or exc}", stage[0],
                               unreachable=True, reason=str(exc.strerror or exc)) from None


async def handshake_outcome(host: str, port: int, timeout: float = 5.0) -> PeerInfo | HandshakeTrouble:
    """`handshake`, with the trouble returned instead of raised (the doctor shares one dial between checks)."""
    try:
        return await handshake(host, port, timeout)
    except HandshakeTrouble as trouble:
        return trouble


def _trouble_finding(target: str, port: int, trouble: HandshakeTrouble, timeout: float) -> Finding:
    ev = {"stage": trouble.stage, "detail": trouble.detail}
    if trouble.code == "timeout":
        fix = (f"A firewall is probably dropping TCP {port}: open it (`ufw allow {port}/tcp`) and check that DNS "
               "points at this node" if trouble.stage == "connect" else
               f"Something accepts TCP on {target} but does not speak Tendermint's handshake within {timeout:g} s: "
               f"make sure port {port} reaches Tendermint itself (no proxy in between) and that the node is not "
               "overloaded")
        return Finding(CHECK, target, Status.ERROR, "timeout", f"{target}: {trouble.detail}", fix=fix, evidence=ev)
    if trouble.closed:
        # Most likely Tendermint refusing a second connection from our IP: the node runs, we cannot see it.
        return Finding(CHECK, target, Status.WARN, "refused", f"{target}: {trouble.detail}",
                       fix="Run the check from a machine that is not this node's peer (or set `[p2p] "
                           "allow_duplicate_ip = true` on it); its log names the reason after \"Inbound Peer "
                           "rejected\"", evidence=ev)
    if trouble.code == "refused":
        status = Status.ERROR if trouble.unreachable else Status.FAIL
        return Finding(CHECK, target, status, "refused", f"{target}: {trouble.detail}",
                       fix=f"Start Tendermint with `[p2p] laddr = \"tcp://0.0.0.0:{port}\"` in config.toml and open "
                           f"TCP {port} in the firewall (`ufw allow {port}/tcp`)", evidence=ev)
    return Finding(CHECK, target, Status.FAIL, "not_tendermint", f"{target}: {trouble.detail}",
                   fix=f"Port {port} is served by another program: point the card's p2p_port at Tendermint's "
                       "`[p2p] laddr` port, or move that program off the port", evidence=ev)


async def check_p2p_handshake(host: str, port: int, expect_node_id: str | None = None,
                              expect_chain_id: str | None = None, timeout: float = 5.0) -> Finding:
    """The p2p.handshake finding for one member: ok, node_id_mismatch, chain_id_mismatch, version_mismatch,
    refused, timeout or not_tendermint."""
    return handshake_finding(host, port, await handshake_outcome(host, port, timeout), expect_node_id,
                             expect_chain_id, timeout)


def handshake_finding(host: str, port: int, outcome: PeerInfo | HandshakeTrouble, expect_node_id: str | None,
                      expect_chain_id: str | None, timeout: float) -> Finding:
    """The p2p.handshake finding for what one dial of `host:port` showed."""
    target = host_port(host, port)
    if isinstance(outcome, HandshakeTrouble):
        return _trouble_finding(target, port, outcome, timeout)
    peer = outcome
    ev: dict[str, Any] = {**peer.to_json(), "expected_node_id": expect_node_id,
                          "expected_chain_id": expect_chain_id}
    if peer.claimed_node_id.lower() != peer.node_id:
        return Finding(CHECK, target, Status.FAIL, "not_tendermint",
                       f"{target} proves node key {peer.node_id} but its NodeInfo claims {peer.claimed_node_id!r}; "
                       "Tendermint peers reject it (\"conn.ID ... NodeInfo.ID mismatch\")",
                       fix="This is not a genuine Tendermint node: check what runs on the port", evidence=ev)
    if expect_node_id and peer.node_id != expect_node_id.strip().lower():
        want = expect_node_id.strip().lower()
        return Finding(CHECK, target, Status.FAIL, "node_id_mismatch",
                       f"the node at {target} proves node id {peer.node_id}, the card says {want}; peers dialing "
                       f"{want}@{target} get \"dialed ID mismatch\"",
                       fix="Run the node with the config/node_key.json the card was exported from, or export a new "
                           f"card (`pmwizard card export`) and share it; peers then use {peer.node_id}@{target}",
                       evidence=ev)
    if expect_chain_id and peer.network != expect_chain_id:
        return Finding(CHECK, target, Status.FAIL, "chain_id_mismatch",
                       f"the node at {target} runs chain {peer.network!r}, the genesis says {expect_chain_id!r}; "
                       "Tendermint peers refuse it (\"peer is on a different network\")",
                       fix="Install the consortium's genesis.json (`pmwizard configure --genesis FILE --yes`), "
                           "reset the node's data (`tendermint unsafe_reset_all`) and restart it", evidence=ev)
    if peer.block_protocol != BLOCK_PROTOCOL or peer.p2p_protocol != P2P_PROTOCOL:
        # Tendermint refuses a peer on another block protocol; another p2p protocol alone still connects.
        status = Status.FAIL if peer.block_protocol != BLOCK_PROTOCOL else Status.WARN
        return Finding(CHECK, target, status, "version_mismatch",
                       f"the node at {target} runs {peer.version or 'an unknown version'} (block protocol "
                       f"{peer.block_protocol}, p2p protocol {peer.p2p_protocol}); Tendermint 0.34 speaks block "
                       f"{BLOCK_PROTOCOL}, p2p {P2P_PROTOCOL}",
                       fix="Run Tendermint 0.34.x on every member (Planetmint 2.x needs 0.34); replace the binary "
                           "and restart the node", evidence=ev)
    return Finding(CHECK, target, Status.PASS, "ok",
                   f"{target} is node {peer.node_id} on chain {peer.network} ({peer.moniker}, {peer.version})",
                   evidence=ev)
