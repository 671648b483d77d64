"""doctor: every member of a network checked at once (DNS, TLS, P2P, API, RPC), results streamed as they
finish, plus cross-member findings (tls.shared). Members run concurrently under a bounded pool, and each
member's checks run concurrently too, so 50 members take about as long as the slowest one.

Extending: a member check is `async def check(target: DoctorTarget, ctx: DoctorContext) -> list[Finding]`;
append `(name, check)` to MEMBER_CHECKS (or pass `checks=` to run_doctor, as `check p2p` and the wizard's
join step do with the handshake alone).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import importlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmwizard.checks.finding import Finding, Status
from pmwizard.core.hostname import is_ip

if TYPE_CHECKING:
    from pmwizard.checks.lookup import Lookup, Resolver
    from pmwizard.checks.p2p import HandshakeTrouble, PeerInfo

# The DNS (dnspython), TLS (cryptography.x509) and HTTP check modules are imported by the member checks that
# use them, so `check p2p IP:PORT` loads only the handshake.




@dataclass(frozen=True)
class DoctorTarget:
    """One member to check. `tls_names`: further names its certificate must cover (its consortium CNAME,
    the round-robin name). `cname_name`: the consortium name that should be a CNAME for `hostname`."""

    name: str
    hostname: str | None
    p2p_port: int = 26656
    node_id: str | None = None
    rpc_url: str | None = None  # from --rpc; None: try http://hostname:26657 and only warn when silent
    tls_names: tuple[str, ...] = ()
    cname_name: str | None = None
    tls_port: int = 443
    api_http_port: int = 9984
    local: bool = False  # the node pmwizard runs on: also Tarantool, and loopback addresses are expected
    tarantool_port: int = 3303
    home: Path | None = None  # the local node's home: its config.toml explains 0 peers (node.peers)

    @property
    def address(self) -> str:
        """Where to connect: the hostname, or loopback for a local node without one."""
        return self.hostname or "127.0.0.1"


@dataclass(frozen=True)
class DoctorContext:
    """What all members share: the genesis chain_id, DNS servers, extra trust anchors, the timeout."""

    chain_id: str | None = None
    nameservers: tuple[str, ...] = ()
    ca_file: str | None = None
    timeout: float = 5.0
    # hostname -> its lookup, started by the first check that needs addresses and shared by the others,
    # so every connection follows the same DNS as the checks (never the system resolver).
    _lookups: dict[str, asyncio.Future] = dataclasses.field(default_factory=dict, repr=False)
    _resolver: list = dataclasses.field(default_factory=list, repr=False)
    # net.p2p and p2p.handshake both in the run: one dial of each P2P port serves both (half the connections,
    # and no second connection for Tendermint's duplicate-IP filter to close while the first is open)
    share_dial: bool = False
    _dials: dict[tuple[str, int], asyncio.Future] = dataclasses.field(default_factory=dict, repr=False)

    def resolver(self) -> Resolver:
        """One resolver for the run, sharing answers: the DNS check, the addresses TLS and P2P connect to,
        and every member's zone questions (its NS and their addresses) are asked once, not once each."""
        if not self._resolver:
            from pmwizard.checks.lookup import Resolver

            self._resolver.append(Resolver(self.nameservers, self.timeout, share=True))
        return self._resolver[0]

    async def addresses(self, t: DoctorTarget) -> tuple[str, ...]:
        """The A and AAAA addresses of `t.hostname` through --nameserver (empty: dns.* says why)."""
        if not t.hostname:
            return ()
        if is_ip(t.hostname):
            return (t.hostname.strip("[]"),)
        if t.hostname not in self._lookups:
            from pmwizard.checks.dnscheck import resolve_addresses

            self._lookups[t.hostname] = asyncio.ensure_future(resolve_addresses(self.resolver(), t.hostname))
        found, _ = await self._lookups[t.hostname]
        return tuple(found)

    async def lookup_trouble(self, t: DoctorTarget) -> Lookup | None:
        """The lookup that left `t.hostname` without addresses because DNS did not answer (a timeout or
        SERVFAIL), else None. A connection check then has nothing to connect to: its finding is about DNS,
        not a firewall (issue 11.3), and it never falls back to the system resolver."""
        if not t.hostname or await self.addresses(t):
            return None
        _, problems = await self._lookups[t.hostname]
        return next((p for p in problems if p.trouble), None)

    async def connect_to(self, t: DoctorTarget) -> str:
        """The address to connect to for `t`: its first address, else its hostname (or loopback)."""
        found = await self.addresses(t)
        return found[0] if found else t.address

    async def dial(self, host: str, port: int) -> PeerInfo | HandshakeTrouble:
        """The Tendermint handshake with `host:port`, made once for the run (net.p2p and p2p.handshake)."""
        from pmwizard.checks.p2p import handshake_outcome

        if (host, port) not in self._dials:
            self._dials[host, port] = asyncio.ensure_future(handshake_outcome(host, port, self.timeout))
        return await asyncio.shield(self._dials[host, port])


MemberCheck = Callable[[DoctorTarget, DoctorContext], Awaitable[list[Finding]]]


async def dns_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.dnscheck import check_dns

    if not t.hostname or is_ip(t.hostname):
        return []
    jobs = [check_dns(t.hostname, nameservers=ctx.nameservers, timeout=ctx.timeout, resolver=ctx.resolver())]
    if t.cname_name:
        jobs.append(check_dns(t.cname_name, cname_target=t.hostname, nameservers=ctx.nameservers,
                              timeout=ctx.timeout, authority=False, resolver=ctx.resolver()))
    results = await asyncio.gather(*jobs)
    found = [f for part in results for f in part]
    if t.local:  # a loopback/LAN test network: private addresses are the point, not a problem
        found = [dataclasses.replace(f, status=Status.PASS) if f.code == "private" else f for f in found]
    return found


async def tls_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.tlscheck import check_tls

    if not t.hostname:
        return []
    found = await check_tls(t.hostname, port=t.tls_port, names=t.tls_names, ca_file=ctx.ca_file,
                            nameservers=ctx.nameservers, timeout=ctx.timeout,
                            addresses=await ctx.addresses(t) or None)
    # check_tls reports a DNS failure as dns.a; dns_member already says it.
    return [f for f in found if f.check.startswith("tls.")]


def dns_blocked(check: str, t: DoctorTarget, lookup: Lookup, port: int, code: str = "timeout") -> Finding:
    """A connection check that could not start because the name did not resolve in time: `error`
    (could not check) with the DNS fix (the resolver, --nameserver, the zone's NS), never firewall advice."""
    host = t.hostname or t.address
    target = f"{host}:{port}"
    return Finding(check, target, Status.ERROR, code,
                   f"{target}: not checked: the {lookup.rdtype} lookup of {host} got no answer ({lookup.detail})",
                   fix="This is DNS, not a firewall: check the resolver this machine uses (or the one given with "
                       f"--nameserver) and the zone's NS servers, e.g. `dig {host} NS +trace`; then run the "
                       "check again", evidence={"stage": "dns", "rdtype": lookup.rdtype, "detail": lookup.detail})


async def p2p_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.reach import check_p2p

    trouble = await ctx.lookup_trouble(t)
    if trouble:
        return [dns_blocked("net.p2p", t, trouble, t.p2p_port)]
    host = await ctx.connect_to(t)
    if ctx.share_dial:
        return [port_finding(host, t.p2p_port, await ctx.dial(host, t.p2p_port), ctx.timeout)]
    return [await check_p2p(host, t.p2p_port, ctx.timeout)]


def port_finding(host: str, port: int, outcome: PeerInfo | HandshakeTrouble, timeout: float) -> Finding:
    """net.p2p from the handshake's dial: whatever happened after TCP was accepted, the port is open."""
    from pmwizard.checks.p2p import HandshakeTrouble
    from pmwizard.checks.reach import p2p_port_finding

    if not isinstance(outcome, HandshakeTrouble) or outcome.stage != "connect":
        return p2p_port_finding(host, port, "open", timeout)
    result = "timeout" if outcome.code == "timeout" else "unreachable" if outcome.unreachable else "refused"
    return p2p_port_finding(host, port, result, timeout, outcome.reason)


async def api_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.reach import check_api

    trouble = await ctx.lookup_trouble(t)
    if trouble:
        return [dns_blocked("api.planetmint", t, trouble, t.tls_port, "unreachable")]
    return [await check_api(t.address, https_port=t.tls_port, http_port=t.api_http_port, timeout=ctx.timeout,
                            connect_to=await ctx.connect_to(t))]


async def rpc_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.reach import check_rpc

    trouble = None if t.rpc_url else await ctx.lookup_trouble(t)
    if trouble:
        return [dns_blocked("rpc.status", t, trouble, 26657, "unreachable")]
    host = await ctx.connect_to(t)
    url = t.rpc_url or (f"http://[{host}]:26657" if ":" in host else f"http://{host}:26657")
    return [await check_rpc(url, expect_node_id=t.node_id, expect_chain_id=ctx.chain_id, timeout=ctx.timeout,
                            guessed=t.rpc_url is None)]


async def tarantool_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    from pmwizard.checks.reach import check_tarantool

    # Tarantool must not be reachable from the internet: only the local node's is checked.
    return [await check_tarantool("127.0.0.1", t.tarantool_port, ctx.timeout)] if t.local else []


async def handshake_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    """p2p.handshake: the node ID and chain the member's P2P port proves (pmwizard/checks/p2p.py)."""
    from pmwizard.checks.p2p import check_p2p_handshake, handshake_finding

    trouble = await ctx.lookup_trouble(t)
    if trouble:
        return [dns_blocked("p2p.handshake", t, trouble, t.p2p_port)]
    host = await ctx.connect_to(t)
    if ctx.share_dial:
        return [handshake_finding(host, t.p2p_port, await ctx.dial(host, t.p2p_port), t.node_id, ctx.chain_id,
                                  ctx.timeout)]
    return [await check_p2p_handshake(host, t.p2p_port, expect_node_id=t.node_id, expect_chain_id=ctx.chain_id,
                                      timeout=ctx.timeout)]


async def health_member(t: DoctorTarget, ctx: DoctorContext) -> list[Finding]:
    """node.peers and node.blocks: the local node has peers and gets new blocks (checks/nodehealth.py)."""
    if not t.local or not t.rpc_url:
        return []
    from pmwizard.checks.nodehealth import check_node_health

    return await check_node_health(t.rpc_url, t.home, chain_id=ctx.chain_id, nameservers=ctx.nameservers,
                                   timeout=ctx.timeout)


MEMBER_CHECKS: list[tuple[str, MemberCheck]] = [
    ("dns", dns_member), ("tls", tls_member), ("net.p2p", p2p_member), ("p2p.handshake", handshake_member),
    ("api", api_member), ("rpc", rpc_member), ("tarantool", tarantool_member),
    ("node", health_member),
]


def _tag(findings: list[Finding], member: str) -> list[Finding]:
    return [dataclasses.replace(f, evidence={**f.evidence, "member": member}) for f in findings]


async def _run_member(t: DoctorTarget, ctx: DoctorContext, checks: Sequence[tuple[str, MemberCheck]],
                      emit: Callable[[Finding], None]) -> list[Finding]:
    async def one(name: str, check: MemberCheck) -> list[Finding]:
        try:
            found = await check(t, ctx)
        except Exception as exc:  # one broken check must not sink the others; it is reported
            found = [Finding(name, t.hostname or t.name, Status.ERROR, "error", f"the check crashed: {exc!r}",
                             fix="Report this as a pmwizard bug, with the command you ran")]
        found = _tag(found, t.name)
        for f in found:
            emit(f)
        return found

    parts = await asyncio.gather(*(one(n, c) for n, c in checks))
    return [f for part in parts for f in part]


def shared_certificates(per_member: dict[str, list[Finding]]) -> list[Finding]:
    """tls.shared: two members serving the same certificate (the Planetmint docs forbid sharing)."""
    prints: dict[str, set[str]] = {}
    for member, found in per_member.items():
        for f in found:
            fp = f.evidence.get("leaf", {}).get("fingerprint_sha256") if f.check == "tls.chain" else None
            if fp:
                prints.setdefault(member, set()).add(fp)
    if len(prints) < 2:
        return []
    out = []
    for member, fps in prints.items():
        others = sorted(m for m, o in prints.items() if m != member and o & fps)
        ev = {"member": member, "fingerprints": sorted(fps)}
        if others:
            out.append(Finding("tls.shared", member, Status.FAIL, "shared",
                               f"{member} serves the same certificate as {', '.join(others)}",
                               fix=f"Give {member} its own key and certificate (`pmwizard check csr --hostname HOST "
                                   "-o DIR --yes`, or `certbot --nginx -d HOST` on that node)",
                               evidence={**ev, "shared_with": others}))
        else:
            out.append(Finding("tls.shared", member, Status.PASS, "ok", f"{member} has its own certificate",
                               evidence=ev))
    return out


def _prepare(check_names: Sequence[str], targets: Sequence[DoctorTarget], ca_file: str | None) -> None:
    """What the chosen checks load once (their modules, the trust store and its index: ~100 ms), done in a
    thread before the first member, so it never stalls the caller's event loop (the wizard's screen).
    Only what the checks need: `check p2p IP:PORT` still loads neither dnspython nor X.509."""
    from pmwizard.errors import PmwizardError

    if any(t.hostname and not is_ip(t.hostname) for t in targets) or "dns" in check_names:
        importlib.import_module("pmwizard.checks.dnscheck")
    if {"net.p2p", "api", "rpc", "tarantool"} & set(check_names):
        importlib.import_module("pmwizard.checks.reach")
    if "p2p.handshake" in check_names:
        importlib.import_module("pmwizard.checks.p2p")
    if "tls" in check_names:
        from pmwizard.checks.certs import _trust_index, trust_anchors

        with contextlib.suppress(PmwizardError):  # tls.* reports it, naming the file
            _trust_index(trust_anchors(ca_file))


async def run_doctor(targets: Sequence[DoctorTarget], *, chain_id: str | None = None,
                     nameservers: Sequence[str] = (), ca_file: str | None = None, timeout: float = 5.0,
                     concurrency: int = 64, round_robin: str | None = None,
                     on_finding: Callable[[Finding], None] | None = None,
                     checks: Sequence[tuple[str, MemberCheck]] | None = None) -> list[Finding]:
    """Check every target; `on_finding` sees each finding as soon as it exists, on the caller's loop.
    Returns all findings, grouped by member in the targets' order, then the round-robin name and cross-member
    findings. The checks run on an event loop of their own (checks/own_loop.py), so their bursts of CPU never
    stall the caller's loop: the wizard stays responsive while it troubleshoots many members."""
    from pmwizard.checks.own_loop import on_own_loop

    return await on_own_loop(lambda emit: _run_doctor(targets, chain_id, nameservers, ca_file, timeout,
                                                      concurrency, round_robin, emit, checks), on_finding)


async def _run_doctor(targets: Sequence[DoctorTarget], chain_id: str | None, nameservers: Sequence[str],
                      ca_file: str | None, timeout: float, concurrency: int, round_robin: str | None,
                      emit: Callable[[Finding], None], checks: Sequence[tuple[str, MemberCheck]] | None
                      ) -> list[Finding]:
    chosen = list(checks if checks is not None else MEMBER_CHECKS)
    names = {n for n, _ in chosen}
    ctx = DoctorContext(chain_id, tuple(nameservers), ca_file, timeout,
                        share_dial={"net.p2p", "p2p.handshake"} <= names)
    pool = asyncio.Semaphore(max(1, concurrency))
    await asyncio.to_thread(_prepare, [n for n, _ in chosen], targets, ca_file)

    async def member(t: DoctorTarget) -> list[Finding]:
        async with pool:
            return await _run_member(t, ctx, chosen, emit)

    jobs = [member(t) for t in targets]
    if round_robin:
        async def rr() -> list[Finding]:
            from pmwizard.checks.dnscheck import check_dns

            found = _tag(await check_dns(round_robin, nameservers=ctx.nameservers, timeout=timeout,
                                         authority=False, resolver=ctx.resolver()), round_robin)
            for f in found:
                emit(f)
            return found
        jobs.append(rr())
    results = await asyncio.gather(*jobs)
    # results: one list per target, then the round-robin name's when it was checked
    per_member = {t.name: found for t, found in zip(targets, results[:len(targets)], strict=True)}
    cross = shared_certificates(per_member)  # each already names its member in evidence
    for f in cross:
        emit(f)
    return [f for part in results for f in part] + cross


def this_node(home: Path) -> tuple[str | None, str | None, list[str]]:
    """What the local doctor holds this node to: the node ID of the home's key and the chain of its installed
    genesis.json (None where the home has none), and why a key that is there could not be read."""
    from pmwizard.core.genesis import read_genesis
    from pmwizard.core.keys import NODE_KEY, load_identity
    from pmwizard.errors import PmwizardError

    node_id = chain_id = None
    problems = []
    if (home / NODE_KEY).exists():
        try:
            node_id = load_identity(home).node_id
        except PmwizardError as exc:
            problems.append(str(exc))
    genesis = home / "config" / "genesis.json"
    if genesis.exists():
        report = read_genesis(genesis)
        chain_id = report.chain_id if report.valid else None
    return node_id, chain_id, problems


def parse_rpc_options(values: Sequence[str]) -> dict[str, str]:
    """`--rpc NODE_ID_OR_NAME=http://HOST:PORT` (repeatable) -> {key lower-case: url}."""
    from pmwizard.errors import InputError

    out = {}
    for v in values:
        key, sep, url = v.partition("=")
        if not sep or not key.strip() or not url.startswith(("http://", "https://")):
            raise InputError("--rpc", v, "expected NODE_ID_OR_NAME=http://HOST:PORT")
        out[key.strip().lower()] = url.strip()
    return out


def member_targets(cards: Sequence[object], *, consortium_domain: str | None = None,
                   round_robin: str | None = None, rpc: dict[str, str] | None = None,
                   local_names: Sequence[str] = ()) -> list[DoctorTarget]:
    """DoctorTargets from member cards (anything with name, hostname, p2p_port, node_id), in order.
    With a consortium domain D, member i gets the CNAME `node<i>.D`; its certificate must cover that name
    and the round-robin name."""
    rpc = rpc or {}
    out = []
    for i, card in enumerate(cards, start=1):
        name = getattr(card, "name", None) or getattr(card, "hostname", None) or f"member{i}"
        hostname = getattr(card, "hostname", None)
        node_id = getattr(card, "node_id", None)
        cname = f"node{i}.{consortium_domain.strip('.').lower()}" if consortium_domain else None
        tls_names = tuple(n for n in (cname, round_robin) if n)
        url = next((rpc[k.lower()] for k in (node_id, name, hostname) if k and k.lower() in rpc), None)
        out.append(DoctorTarget(name=name, hostname=hostname, p2p_port=int(getattr(card, "p2p_port", 26656)),
                                node_id=node_id, rpc_url=url, tls_names=tls_names, cname_name=cname,
                                local=name in local_names))
    return out
