"""Node reachability (SPEC §6): net.p2p, api.planetmint, rpc.status, tarantool. asyncio streams only,
every step bounded by the timeout; a timeout is `error` (could not check), a refusal is the node's."""

from __future__ import annotations

import asyncio
from typing import Any, TypeGuard

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.httpget import HttpTrouble, http_get
from pmwizard.core.hostname import host_port


async def check_p2p(host: str, port: int, timeout: float = 5.0) -> Finding:
    """TCP to the P2P port: open, closed (refused) or timeout."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except ConnectionRefusedError:
        return p2p_port_finding(host, port, "refused", timeout)
    except TimeoutError:
        return p2p_port_finding(host, port, "timeout", timeout)
    except OSError as exc:
        return p2p_port_finding(host, port, "unreachable", timeout, str(exc.strerror or exc))
    writer.close()
    return p2p_port_finding(host, port, "open", timeout)


def p2p_port_finding(host: str, port: int, result: str, timeout: float, reason: str = "") -> Finding:
    """net.p2p for what a TCP connection to the P2P port did: open, refused, timeout or unreachable (`reason`:
    the OS's words). Also made from the doctor's one dial that serves net.p2p and p2p.handshake."""
    target = host_port(host, port)
    if result == "refused":
        return Finding("net.p2p", target, Status.FAIL, "closed", f"nothing accepts connections on {target}",
                       fix=f"Start Tendermint with `[p2p] laddr = \"tcp://0.0.0.0:{port}\"` in config.toml and "
                           f"open TCP {port} in the firewall (e.g. `ufw allow {port}/tcp`)")
    if result == "timeout":
        return Finding("net.p2p", target, Status.ERROR, "timeout", f"no TCP answer from {target} within {timeout:g} s",
                       fix=f"A firewall is probably dropping TCP {port}: open it (`ufw allow {port}/tcp`) and check "
                           "that DNS points at this node")
    if result == "unreachable":
        return Finding("net.p2p", target, Status.ERROR, "closed", f"cannot reach {target}: {reason}",
                       fix="Check the host name's DNS and the network route to it (`ping`, `traceroute`)")
    return Finding("net.p2p", target, Status.PASS, "open", f"{target} accepts TCP connections")


def is_planetmint_root(doc: Any) -> TypeGuard[dict[str, Any]]:
    """Planetmint's API root: {"api": {"v1": ...}, "software": "Planetmint", "version": ..., ...}."""
    return (isinstance(doc, dict) and str(doc.get("software", "")).lower() == "planetmint"
            and isinstance(doc.get("api"), dict) and "version" in doc)


async def check_api(host: str, *, https_port: int = 443, http_port: int = 9984, timeout: float = 5.0,
                    connect_to: str | None = None) -> Finding:
    """GET / on the HTTPS root (nginx in front), else http://host:9984 (Planetmint itself).
    `connect_to`: the address already resolved for host (Host header and SNI stay the name)."""
    urls = [f"https://{host_port(host, https_port)}/", f"http://{host_port(host, http_port)}/"]
    tried: list[str] = []
    unexpected: list[str] = []
    timeouts = 0
    for url in urls:
        try:
            reply = await http_get(url, timeout=timeout, connect_to=connect_to)
            doc = reply.json() if reply.status == 200 else None
        except HttpTrouble as exc:
            if exc.kind == "bad":
                unexpected.append(f"{url}: {exc.detail}")
            timeouts += exc.kind == "timeout"
            tried.append(f"{url}: {exc.detail}")
            continue
        if is_planetmint_root(doc):
            return Finding("api.planetmint", host, Status.PASS, "ok",
                           f"Planetmint {doc.get('version')} answers at {url}",
                           evidence={"url": url, "version": doc.get("version")})
        unexpected.append(f"{url}: HTTP {reply.status}, not Planetmint's API root")
        tried.append(unexpected[-1])
    if unexpected:
        return Finding("api.planetmint", host, Status.FAIL, "unexpected",
                       "something answers, but not Planetmint's API: " + "; ".join(unexpected),
                       fix=f"In the nginx server block for {host}: `location / {{ proxy_pass http://127.0.0.1:9984; }}`"
                           " and make sure Planetmint runs (`planetmint start`)", evidence={"tried": tried})
    status = Status.ERROR if timeouts == len(urls) else Status.FAIL
    return Finding("api.planetmint", host, status, "unreachable",
                   "Planetmint's API does not answer: " + "; ".join(tried),
                   fix=f"Start Planetmint (`planetmint start`; config `server.bind = \"localhost:9984\"`) behind nginx "
                       f"(`location / {{ proxy_pass http://127.0.0.1:9984; }}` in the `server_name {host};` block)",
                   evidence={"tried": tried})


async def check_rpc(url: str, *, expect_node_id: str | None = None, expect_chain_id: str | None = None,
                    timeout: float = 5.0, guessed: bool = False) -> Finding:
    """Tendermint RPC /status: node_info.id vs the card's node_id, node_info.network vs the genesis chain_id.
    `guessed`: the URL was not given (--rpc); Tendermint binds RPC to 127.0.0.1 by default, so no answer is a
    warning, not a failure."""
    status_url = url.rstrip("/") + "/status"
    try:
        reply = await http_get(status_url, timeout=timeout)
        try:
            info = reply.json()["result"]["node_info"]
            node_id, network = str(info["id"]).lower(), str(info["network"])
        except HttpTrouble as exc:  # not JSON, or a nesting bomb: an answer, just not the one we want
            raise KeyError(exc.detail) from None
    except (HttpTrouble, KeyError, TypeError) as exc:
        detail = exc.detail if isinstance(exc, HttpTrouble) else f"not Tendermint's /status reply ({exc})"
        status = Status.WARN if guessed else (Status.ERROR if getattr(exc, "kind", "") == "timeout" else Status.FAIL)
        fix = ("Tendermint's RPC listens on 127.0.0.1:26657 by default; to check it from here set "
               "`[rpc] laddr = \"tcp://0.0.0.0:26657\"` (firewalled) or pass --rpc NODE=http://HOST:PORT")
        if getattr(exc, "kind", "") == "refused" and _is_loopback_url(url):
            # nothing listens on this machine's own RPC: the node is stopped, not hidden
            fix = ("Nothing listens there: the node is not running. Start it (`monit -c ~/.planetmint-monit/monitrc "
                   "-d 1`, or `tendermint node`) and read its log (~/.planetmint-monit/logs/tendermint.log); if "
                   "its `[rpc] laddr` is another port, pass --rpc NODE=http://127.0.0.1:PORT")
        return Finding("rpc.status", url, status, "unreachable", f"Tendermint RPC: {detail}", fix=fix,
                       evidence={"url": status_url})
    ev = {"url": status_url, "node_id": node_id, "network": network}
    if expect_node_id and node_id != expect_node_id.lower():
        return Finding("rpc.status", url, Status.FAIL, "node_id_mismatch",
                       f"the node at {url} has node id {node_id}, the card says {expect_node_id.lower()}",
                       fix="Run the node with the node_key.json the card was exported from (config/node_key.json), "
                           "or export a new card (`pmwizard card export`) and share it", evidence=ev)
    if expect_chain_id and network != expect_chain_id:
        return Finding("rpc.status", url, Status.FAIL, "chain_id_mismatch",
                       f"the node runs chain {network!r}, the genesis says {expect_chain_id!r}",
                       fix="Install the consortium's genesis.json (`pmwizard configure --genesis FILE --yes`), "
                           "reset the node's data (`tendermint unsafe_reset_all`) and restart it", evidence=ev)
    return Finding("rpc.status", url, Status.PASS, "ok", f"node {node_id} on chain {network}", evidence=ev)


def _is_loopback_url(url: str) -> bool:
    import ipaddress
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def check_tarantool(host: str = "127.0.0.1", port: int = 3303, timeout: float = 5.0) -> Finding:
    """Tarantool greets with 128 bytes starting 'Tarantool <version>'."""
    target = host_port(host, port)
    fix = ("Start Tarantool with Planetmint's init script listening on 3303 (`box.cfg{listen = 3303}`; "
           "`systemctl start tarantool` or monit)")
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except TimeoutError:
        return Finding("tarantool", target, Status.ERROR, "unreachable", f"no TCP answer within {timeout:g} s", fix=fix)
    except OSError as exc:
        return Finding("tarantool", target, Status.FAIL, "unreachable", f"cannot connect: {exc.strerror or exc}",
                       fix=fix)
    try:
        greeting = await asyncio.wait_for(reader.readexactly(128), timeout)
    except (TimeoutError, asyncio.IncompleteReadError, OSError) as exc:
        greeting = getattr(exc, "partial", b"")
    finally:
        writer.close()
    if greeting.startswith(b"Tarantool "):
        banner = greeting[:64].decode("latin-1").strip()
        return Finding("tarantool", target, Status.PASS, "ok", banner, evidence={"greeting": banner})
    return Finding("tarantool", target, Status.FAIL, "not_tarantool",
                   f"{target} answers but is not Tarantool (greeting {greeting[:32]!r})",
                   fix=f"Port {port} is taken by another program: stop it, or move Tarantool and set Planetmint's "
                       "`database.port` to match", evidence={"greeting": greeting[:64].decode("latin-1")})
