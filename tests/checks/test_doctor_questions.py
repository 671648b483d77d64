"""A doctor run asks each DNS question once (issue 17): a member's A/AAAA serve its DNS check and the addresses
TLS and P2P connect to, and the zone's NS and their addresses are asked once for all members. Counted at a
real UDP DNS server on loopback; the verdicts are the ones each member gets alone."""

from __future__ import annotations

import asyncio

from pmwizard.checks.doctor import DoctorTarget, dns_member, handshake_member, p2p_member, run_doctor, tls_member
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


def test_one_dial_serves_net_p2p_and_the_handshake() -> None:
    """net.p2p and p2p.handshake in one run connect once per member (it was twice: and Tendermint's duplicate-IP
    filter closes the second of two connections from one IP). Real listeners that answer like SSH, not
    Tendermint: the port is open, the handshake fails, and each listener saw one connection."""
    accepted: dict[int, int] = {}

    async def main() -> list:
        async def not_tendermint(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            port = writer.get_extra_info("sockname")[1]
            accepted[port] = accepted.get(port, 0) + 1
            writer.write(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n" * 8)
            await writer.drain()
            writer.close()

        servers = [await asyncio.start_server(not_tendermint, "127.0.0.1", 0) for _ in range(5)]
        ports = [s.sockets[0].getsockname()[1] for s in servers]
        targets = [DoctorTarget(f"m{i}", "127.0.0.1", p2p_port=port) for i, port in enumerate(ports)]
        try:
            return await run_doctor(targets, timeout=3.0,
                                    checks=[("net.p2p", p2p_member), ("p2p.handshake", handshake_member)])
        finally:
            for s in servers:
                s.close()

    found = asyncio.run(main())
    assert sorted(accepted.values()) == [1] * 5, accepted
    assert [f.code for f in found if f.check == "net.p2p"] == ["open"] * 5
    assert [f.code for f in found if f.check == "p2p.handshake"] == ["not_tendermint"] * 5
