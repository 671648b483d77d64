"""A doctor run asks each DNS question once (issue 17): a member's A/AAAA serve its DNS check and the addresses
TLS and P2P connect to, and the zone's NS and their addresses are asked once for all members. Counted at a
real UDP DNS server on loopback; the verdicts are the ones each member gets alone."""

from __future__ import annotations

import asyncio

from pmwizard.checks.doctor import DoctorTarget, dns_member, p2p_member, run_doctor, tls_member
from pmwizard.checks.finding import Status
from tests.support.dnsserver import DelayedDnsServer
from tests.support.faults import refused_port

ZONE = "questions.test"
MEMBERS = 20


def records() -> dict:
    recs = {(ZONE, "SOA"): [f"ns.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 300"],
            (ZONE, "NS"): [f"ns.{ZONE}."], (f"ns.{ZONE}", "A"): ["127.0.0.1"]}
    for i in range(1, MEMBERS + 1):
        recs[(f"m{i}.{ZONE}", "A")] = ["127.0.0.1"]
    return recs


def test_each_question_is_asked_once_per_run() -> None:
    checks = [("dns", dns_member), ("tls", tls_member), ("net.p2p", p2p_member)]
    with DelayedDnsServer(records(), delay=0.0) as dns_server, refused_port() as closed:
        targets = [DoctorTarget(f"m{i}", f"m{i}.{ZONE}", p2p_port=closed, tls_port=closed)
                   for i in range(1, MEMBERS + 1)]
        kw = {"nameservers": [dns_server.nameserver], "timeout": 3.0, "checks": checks}
        alone = asyncio.run(run_doctor(targets[:1], **kw))
        first = dns_server.questions
        together = asyncio.run(run_doctor(targets, **kw))
        per_member = (dns_server.questions - first) / MEMBERS
    # CNAME, A, AAAA, the zone's SOA (name, then parent) and the zone's server asked directly: 6; it was 12
    assert per_member <= 6.5, per_member
    assert first <= 9, first
    dns_alone = sorted((f.check, f.status, f.code) for f in alone if f.check.startswith("dns."))
    for i in range(1, MEMBERS + 1):
        mine = sorted((f.check, f.status, f.code) for f in together
                      if f.evidence.get("member") == f"m{i}" and f.check.startswith("dns."))
        assert mine == dns_alone
    assert any(f.check == "dns.authority" and f.status == Status.PASS for f in together)
