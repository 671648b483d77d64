"""`doctor --network` as one call: read this node's RPC and every member RPC given (concurrently, each read
bounded by the timeout), look the members' host names up, then the verdicts of checks/network, the app hash
at a common height and the disk under the node's data. The CLI, its `--watch` loop and the TUI's Network view
all call `run_network`."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pmwizard.checks.finding import Finding
from pmwizard.checks.network_health import Member, agreement_finding, disk_finding, verdicts
from pmwizard.checks.rpcread import NodeView, RpcClient, read_commit, read_node


@dataclass
class NetworkReport:
    findings: list[Finding]
    views: list[NodeView]
    rpc_calls: int
    seconds: float
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def members_from_cards(cards: Sequence[object]) -> list[Member]:
    """Members by card: name, validator address (from pub_key), node ID and host name."""
    return [Member(name=c.name, address=c.address, node_id=c.node_id, hostname=c.hostname)  # type: ignore[attr-defined]
            for c in cards]


def members_from_genesis(report: object) -> list[Member]:
    """Members by the genesis's validator names (no node IDs: connectivity then comes from the RPCs read)."""
    return [Member(name=v.name or v.address[:12], address=v.address)
            for v in getattr(report, "validators", ())]


async def _resolve(members: Sequence[Member], nameservers: Sequence[str], timeout: float) -> list[Member]:
    from dataclasses import replace

    from pmwizard.checks.dnscheck import resolve_addresses
    from pmwizard.checks.lookup import Resolver
    from pmwizard.core.hostname import is_ip

    resolver = Resolver(tuple(nameservers), timeout)

    async def one(m: Member) -> Member:
        if not m.hostname:
            return m
        if is_ip(m.hostname):
            return replace(m, addresses=(m.hostname.strip("[]"),))
        found, _ = await resolve_addresses(resolver, m.hostname)
        return replace(m, addresses=tuple(found))

    return list(await asyncio.gather(*(one(m) for m in members)))


async def run_network(rpc_urls: Sequence[str], members: Sequence[Member] = (), *, blocks: int = 10,
                      timeout: float = 5.0, stall_after: float = 30.0, nameservers: Sequence[str] = (),
                      resolve: bool = True, data_dir: Path | None = None,
                      metrics_url: str | None = None) -> NetworkReport:
    """Findings about the running network as seen from `rpc_urls[0]` (this node) and the other RPCs."""
    started = asyncio.get_running_loop().time()
    calls = [0]
    reads = [read_node(u, blocks=blocks, timeout=timeout, calls=calls, with_commits=i == 0)
             for i, u in enumerate(rpc_urls)]
    resolving = _resolve(members, nameservers, timeout) if resolve and members else _same(members)
    gauges = _metrics(metrics_url, timeout, calls)
    views, named, metrics = await asyncio.gather(asyncio.gather(*reads), resolving, gauges)
    findings = verdicts(views, named, datetime.now(UTC), stall_after=stall_after)
    if metrics:
        findings = [_with_metrics(f, metrics) if f.check == "network.consensus" else f for f in findings]
    live = [v for v in views if v.trouble is None]
    if len(live) >= 2:
        height = min(v.height for v in live)
        if height > 0:
            tops = await asyncio.gather(*(read_commit(RpcClient(v.url, timeout, calls), height) for v in live))
            found = agreement_finding({(v.moniker or v.url): c for v, c in zip(live, tops, strict=True)}, height)
            if found:
                findings.append(found)
    if data_dir is not None and data_dir.exists():  # noqa: ASYNC240 - one stat of a local folder, once per run
        usage = shutil.disk_usage(data_dir)
        findings.append(disk_finding(str(data_dir), usage.free, usage.total))
    return NetworkReport(findings, list(views), calls[0], asyncio.get_running_loop().time() - started)


async def _metrics(url: str | None, timeout: float, calls: list[int]) -> dict[str, float] | None:
    if not url:
        return None
    from pmwizard.checks.metrics import read_metrics

    calls[0] += 1
    return await read_metrics(url, timeout)


def _with_metrics(f: Finding, metrics: dict[str, float]) -> Finding:
    """The consensus verdict with this node's own metrics beside it (what its Prometheus endpoint says)."""
    from dataclasses import replace

    missing = metrics.get("consensus_missing_validators")
    note = "" if missing is None else f" (this node's metrics: {missing:.0f} validators missing from the last commit)"
    return replace(f, message=f.message + note, evidence={**f.evidence, "metrics": metrics})


async def _same(members: Sequence[Member]) -> list[Member]:
    return list(members)
