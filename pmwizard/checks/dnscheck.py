"""DNS checks of SPEC §6: dns.name, dns.a, dns.aaaa, dns.cname, dns.caa, dns.authority.

Each non-pass finding carries the zone-file line that fixes it (name, TTL, type, target). Third-party
trouble (SERVFAIL, timeouts) is status `error`, never `fail`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import dns.flags
import dns.rcode
import dns.rdatatype

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.lookup import NODATA, NXDOMAIN, OK, Lookup, Nameserver, Resolver, is_public_ip, normalize

TTL = 3600
MAX_CNAME_HOPS = 8
# A zone may list any number of NS records (a hostile one lists 1,500). Resolvers bound the fan-out
# (BIND and Unbound look at a handful of name servers per zone); so do we: this many names, this many addresses.
MAX_NS_NAMES = 8
MAX_NS_ADDRESSES = 16
OVERALL_STEPS = 4  # CNAME walk, A/AAAA, zone + NS, authority: the whole check's budget in timeouts


def zone_line(name: str, rdtype: str, value: str) -> str:
    """A zone-file line a person can paste: `name. 3600 IN TYPE value`."""
    return f"{normalize(name)}. {TTL} IN {rdtype} {value}"


@dataclass(frozen=True)
class CnameChain:
    """The CNAMEs from the name to its final name. `broken` is '', 'dangling', 'loop' or a Lookup outcome."""

    hops: tuple[str, ...]
    final: str
    broken: str = ""
    failed: Lookup | None = None


async def walk_cnames(resolver: Resolver, name: str) -> CnameChain:
    """Follow CNAMEs one question at a time, so a loop or a dangling target is seen for what it is."""
    hops: list[str] = []
    current = normalize(name)
    seen = {current}
    for _ in range(MAX_CNAME_HOPS):
        res = await resolver.lookup(current, "CNAME")
        if res.outcome == NXDOMAIN:
            return CnameChain(tuple(hops), current, "dangling" if hops else NXDOMAIN, res)
        if res.trouble:
            return CnameChain(tuple(hops), current, res.outcome, res)
        if res.outcome == NODATA:
            return CnameChain(tuple(hops), current)
        target = normalize(res.records[0])
        hops.append(target)
        if target in seen:
            return CnameChain(tuple(hops), target, "loop")
        seen.add(target)
        current = target
    return CnameChain(tuple(hops), current, "loop")


async def resolve_addresses(resolver: Resolver, name: str) -> tuple[list[str], list[Lookup]]:
    """Every A and AAAA address of `name` (CNAMEs followed), plus the lookups that went wrong."""
    chain = await walk_cnames(resolver, name)
    if chain.broken:
        return [], [chain.failed or Lookup(name, "CNAME", chain.broken, detail=f"CNAME {chain.broken}")]
    a, aaaa = await asyncio.gather(resolver.lookup(chain.final, "A"), resolver.lookup(chain.final, "AAAA"))
    problems = [r for r in (a, aaaa) if r.outcome != OK and not (r is aaaa and r.outcome in (NODATA,))]
    return list(a.records) + list(aaaa.records), problems


def check_name(name: str) -> list[Finding]:
    """dns.name: syntax (RFC 1035 / IDNA, lengths) and a doubled zone suffix."""
    validate_hostname, doubled_suffix = _hostname_rules()
    problems = validate_hostname(name)
    if problems:
        return [Finding("dns.name", name, Status.FAIL, "invalid", "; ".join(problems),
                        fix="Type the host name as clients use it, e.g. node1.example.org (letters, digits, "
                            "hyphens; labels up to 63 characters; 253 in all)")]
    suffix = doubled_suffix(name)
    if suffix:
        single = normalize(name)[: -len(suffix) - 1]
        return [Finding("dns.name", name, Status.WARN, "invalid",
                        f"the zone name {suffix} appears twice: a zone file entry written without its "
                        "trailing dot gets the zone appended again",
                        fix=f"In the zone file write the full name with a trailing dot ({single}.) or only "
                            f"the label; check that clients really use {single}",
                        evidence={"doubled_suffix": suffix})]
    return [Finding("dns.name", name, Status.PASS, "ok", "the name is well formed")]


def _hostname_rules():
    from pmwizard.core.hostname import doubled_suffix, validate_hostname

    return validate_hostname, doubled_suffix


def _trouble(check: str, name: str, res: Lookup) -> Finding:
    fix = ("Check the resolver (--nameserver) and the zone's DNS servers, e.g. "
           f"`dig {normalize(name)} {res.rdtype} +trace`; try again later")
    return Finding(check, name, Status.ERROR, res.outcome, f"{res.rdtype} lookup of {name}: {res.detail}",
                   fix=fix, evidence={"rdtype": res.rdtype, "detail": res.detail})


def _a_findings(name: str, res: Lookup, expect: Sequence[str]) -> list[Finding]:
    want = expect[0] if expect else "YOUR.PUBLIC.IPV4"
    fix = zone_line(name, "A", want)
    if res.trouble:
        return [_trouble("dns.a", name, res)]
    if res.outcome == NXDOMAIN:
        return [Finding("dns.a", name, Status.FAIL, "nxdomain", f"{name} does not exist in DNS",
                        fix=f"Add to the zone: {fix}")]
    if res.outcome == NODATA:
        return [Finding("dns.a", name, Status.FAIL, "nodata", f"{name} exists but has no A (IPv4) record",
                        fix=f"Add to the zone: {fix}")]
    got = sorted(res.records)
    ev = {"addresses": got, "ttl": res.ttl}
    if expect and set(got) != set(expect):
        lines = "; ".join(zone_line(name, "A", ip) for ip in expect)
        return [Finding("dns.a", name, Status.FAIL, "mismatch",
                        f"{name} points to {', '.join(got)}, expected {', '.join(expect)}",
                        fix=f"Make the zone's A records exactly: {lines} (remove the others)",
                        evidence={**ev, "expected": list(expect)})]
    private = [ip for ip in got if not is_public_ip(ip)]
    if private:
        return [Finding("dns.a", name, Status.WARN, "private",
                        f"{name} points to private/reserved address {', '.join(private)}: other members "
                        "on the internet cannot reach it",
                        fix=f"Use the node's public address: {fix}", evidence=ev)]
    return [Finding("dns.a", name, Status.PASS, "ok", f"{name} points to {', '.join(got)}", evidence=ev)]


def _aaaa_findings(name: str, res: Lookup) -> list[Finding]:
    if res.trouble:
        return [_trouble("dns.aaaa", name, res)]
    if res.outcome in (NXDOMAIN, NODATA):
        return [Finding("dns.aaaa", name, Status.PASS, "absent", f"{name} has no AAAA record: IPv4 only")]
    got = sorted(res.records)
    private = [ip for ip in got if not is_public_ip(ip)]
    if private:
        return [Finding("dns.aaaa", name, Status.WARN, "private",
                        f"{name} has private/reserved IPv6 address {', '.join(private)}: IPv6 clients "
                        "try it first and fail",
                        fix=f"Use the node's public IPv6 address ({zone_line(name, 'AAAA', 'YOUR:PUBLIC::IPV6')})"
                            " or remove the AAAA record", evidence={"addresses": got})]
    return [Finding("dns.aaaa", name, Status.PASS, "ok",
                    f"{name} has IPv6 address {', '.join(got)}: IPv6 clients go there, TLS is checked on it too",
                    evidence={"addresses": got, "ttl": res.ttl})]


def _cname_findings(name: str, chain: CnameChain, cname_target: str | None) -> list[Finding]:
    ev = {"chain": [normalize(name), *chain.hops]}
    want = normalize(cname_target) if cname_target else None
    fix = zone_line(name, "CNAME", f"{want}." if want else "TARGET.")
    if chain.broken == "loop":
        return [Finding("dns.cname", name, Status.FAIL, "loop",
                        f"CNAME loop: {' -> '.join(ev['chain'])}",
                        fix=f"Point the CNAME at the real host: {fix}", evidence=ev)]
    if chain.broken == "dangling":
        return [Finding("dns.cname", name, Status.FAIL, "dangling",
                        f"{name} is a CNAME for {chain.final}, which does not exist",
                        fix=f"Create {chain.final} ({zone_line(chain.final, 'A', 'YOUR.PUBLIC.IPV4')}) or "
                            f"point the CNAME at an existing host: {fix}", evidence=ev)]
    if want is None:
        if chain.hops:
            return [Finding("dns.cname", name, Status.PASS, "ok", f"{name} is a CNAME for {chain.hops[0]}",
                            evidence=ev)]
        return []
    if not chain.hops:
        return [Finding("dns.cname", name, Status.FAIL, "missing", f"{name} is not a CNAME for {want}",
                        fix=f"Add to the zone (and remove other records of {normalize(name)}): {fix}",
                        evidence=ev)]
    if want not in chain.hops:
        return [Finding("dns.cname", name, Status.FAIL, "wrong_target",
                        f"{name} is a CNAME for {chain.hops[0]}, expected {want}",
                        fix=f"Change the record to: {fix}", evidence={**ev, "expected": want})]
    return [Finding("dns.cname", name, Status.PASS, "ok", f"{name} is a CNAME for {want}", evidence=ev)]


async def _caa_findings(resolver: Resolver, name: str, ca: str, zone: str | None) -> list[Finding]:
    """Walk from the name up to its zone (RFC 8659 climbs further; the zone is where operators edit)."""
    labels = normalize(name).split(".")
    stop = len(zone.split(".")) if zone else 2
    for i in range(max(1, len(labels) - stop + 1)):
        here = ".".join(labels[i:])
        res = await resolver.lookup(here, "CAA")
        if res.trouble:
            return [_trouble("dns.caa", name, res)]
        if res.outcome != OK:
            continue
        issuers = [_caa_issuer(r) for r in res.records if _caa_tag(r) == "issue"]
        ev = {"owner": here, "records": list(res.records)}
        if not issuers or normalize(ca) in issuers:
            return [Finding("dns.caa", name, Status.PASS, "ok", f"CAA at {here} allows {ca}", evidence=ev)]
        return [Finding("dns.caa", name, Status.FAIL, "forbids",
                        f"CAA records at {here} allow only {', '.join(i or '(nobody)' for i in issuers)}, not {ca}",
                        fix="Add to the zone: " + zone_line(here, "CAA", f'0 issue "{normalize(ca)}"'),
                        evidence=ev)]
    return [Finding("dns.caa", name, Status.PASS, "ok", f"no CAA records: any CA may issue, {ca} included")]


def _caa_tag(text: str) -> str:
    parts = text.split(None, 2)
    return parts[1].lower() if len(parts) > 1 else ""


def _caa_issuer(text: str) -> str:
    parts = text.split(None, 2)
    value = parts[2].strip('"') if len(parts) > 2 else ""
    return normalize(value.split(";")[0])


async def _authority_findings(resolver: Resolver, name: str, chain: CnameChain, addrs: Sequence[str],
                              zone: str | None) -> list[Finding]:
    if zone is None:
        return []
    ns = await resolver.lookup(zone, "NS")
    if ns.outcome != OK:
        return [] if ns.outcome in (NXDOMAIN, NODATA) else [_trouble("dns.authority", name, ns)]
    names = list(dict.fromkeys(ns.records))
    asked = names[:MAX_NS_NAMES]
    servers: list[tuple[str, str]] = []
    for host, (a, aaaa) in zip(asked, await asyncio.gather(
            *(asyncio.gather(resolver.lookup(h, "A"), resolver.lookup(h, "AAAA")) for h in asked)), strict=True):
        servers += [(host, ip) for ip in a.records + aaaa.records]
    servers = list(dict.fromkeys(servers))[:MAX_NS_ADDRESSES]
    bound = {} if len(names) <= MAX_NS_NAMES else {"ns_total": len(names), "ns_checked": len(asked)}
    if not servers:
        return [Finding("dns.authority", name, Status.FAIL, "lame",
                        f"the NS names of {zone} ({', '.join(asked)}) have no addresses",
                        fix=f"Give each name server an address, e.g. {zone_line(asked[0], 'A', 'NS.IPV4')}",
                        evidence={"zone": zone, "ns": asked, **bound})]
    want = sorted(addrs)
    first_hop = chain.hops[0] if chain.hops else None
    results = await asyncio.gather(*(resolver.ask_authority(ip, name, "A") for _, ip in servers))
    out: list[Finding] = []
    for (host, ip), (state, resp) in zip(servers, results, strict=True):
        target = f"{name} @ {host} ({ip})"
        if resp is None or resp.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) \
                or not resp.flags & dns.flags.AA:
            why = state if resp is None else (
                f"answered {dns.rcode.to_text(resp.rcode())}" if resp.rcode() not in
                (dns.rcode.NOERROR, dns.rcode.NXDOMAIN) else "answered without authority (AA flag not set)")
            out.append(Finding("dns.authority", target, Status.ERROR if state == "timeout" else Status.FAIL,
                               "lame", f"{host} is listed as a name server of {zone} but is not serving it: {why}",
                               fix=f"Make {host} serve {zone}, or remove `{zone}. {TTL} IN NS {host}.` "
                                   "at the registrar and in the zone", evidence={"zone": zone, "server": ip, **bound}))
            continue
        got_a = sorted(str(r) for rr in resp.answer if rr.rdtype == dns.rdatatype.A for r in rr)
        got_cname = [normalize(r.to_text()) for rr in resp.answer if rr.rdtype == dns.rdatatype.CNAME for r in rr]
        agree = got_a == want or (not got_a and first_hop is not None and first_hop in got_cname)
        ev = {"zone": zone, "server": ip, "authoritative": got_a or got_cname, "resolver": want, **bound}
        if agree:
            out.append(Finding("dns.authority", target, Status.PASS, "agree",
                               f"{host} gives the same answer as the resolver", evidence=ev))
        else:
            out.append(Finding("dns.authority", target, Status.WARN, "disagree",
                               f"{host} answers {', '.join(got_a or got_cname) or 'nothing'}, the resolver "
                               f"answers {', '.join(want) or 'nothing'}",
                               fix="If you just changed the zone, wait for the old record's TTL to pass; "
                                   f"otherwise make every name server of {zone} serve the same zone "
                                   "(bump the SOA serial and reload)", evidence=ev))
    return out


async def check_dns(name: str, *, expect_ips: Sequence[str] = (), cname_target: str | None = None,
                    ca: str | None = None, nameservers: Sequence[Nameserver | str] = (),
                    timeout: float = 5.0, authority: bool = True,
                    resolver: Resolver | None = None) -> list[Finding]:
    """All DNS findings for one name (SPEC §6). Never raises for DNS trouble. Each question is bounded by
    `timeout`, and the whole check by OVERALL_STEPS x timeout (a resolver that answers, slowly, every time).
    `resolver`: one shared by a doctor run (answers given once per run), else one made from nameservers."""
    findings = check_name(name)
    if findings[0].status == Status.FAIL:
        return findings
    if resolver is None:
        resolver = Resolver(nameservers, timeout)  # bad --nameserver: InputError before any question
    try:
        return findings + await asyncio.wait_for(
            _check_dns(resolver, name, expect_ips, cname_target, ca, authority), timeout * OVERALL_STEPS)
    except TimeoutError:
        slow = Lookup(name, "A", "timeout", detail=f"DNS answers so slowly that the whole check took over "
                                                   f"{timeout * OVERALL_STEPS:g} s")
        return [*findings, _trouble("dns.a", name, slow)]


async def _check_dns(resolver: Resolver, name: str, expect_ips: Sequence[str], cname_target: str | None,
                     ca: str | None, authority: bool) -> list[Finding]:
    findings: list[Finding] = []
    chain = await walk_cnames(resolver, name)
    if chain.broken in ("loop", "dangling"):
        return findings + _cname_findings(name, chain, cname_target)
    if chain.failed is not None:
        res = chain.failed
        a_find = _trouble("dns.a", name, res) if res.trouble else _a_findings(name, res, expect_ips)[0]
        out = [*findings, a_find]
        if cname_target and not res.trouble:
            out += _cname_findings(name, chain, cname_target)
        return out
    findings += _cname_findings(name, chain, cname_target)
    zone_task = asyncio.ensure_future(resolver.zone_of(name))
    try:
        a, aaaa = await asyncio.gather(resolver.lookup(chain.final, "A"), resolver.lookup(chain.final, "AAAA"))
    except asyncio.CancelledError:
        zone_task.cancel()  # the overall deadline passed: leave nothing running
        raise
    findings += _a_findings(name, a, expect_ips)
    if not a.trouble:
        findings += _aaaa_findings(name, aaaa)
    zone = await zone_task
    extra = []
    if ca:
        extra.append(_caa_findings(resolver, name, ca, zone))
    if authority and a.outcome == OK:
        extra.append(_authority_findings(resolver, name, chain, a.records, zone))
    for part in await asyncio.gather(*extra):
        findings += part
    return findings
