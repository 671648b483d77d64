"""A lost UDP datagram is asked again (issue 17): a resolver busy with a doctor's burst drops some questions,
and one lost question must not make a member's DNS look broken. A real UDP DNS server on loopback drops the
first copy of every question; each check still gets its answers, within its timeout, and a server that
never answers still ends at the timeout."""

from __future__ import annotations

import asyncio
import time

from pmwizard.checks.dnscheck import check_dns
from pmwizard.checks.finding import Status
from tests.support.dnsserver import DelayedDnsServer
from tests.support.faults import silent_udp

ZONE = "lossy.test"
RECORDS = {(ZONE, "SOA"): [f"ns.{ZONE}. hostmaster.{ZONE}. 1 3600 600 86400 300"], (ZONE, "NS"): [f"ns.{ZONE}."],
           (f"ns.{ZONE}", "A"): ["127.0.0.1"], (f"node.{ZONE}", "A"): ["127.0.0.1"]}


class DropsFirstCopy(DelayedDnsServer):
    """Answers a question only the second time it arrives (same name, type and recursion flag)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[bytes] = set()
        self.dropped = 0

    def _reply(self, data: bytes) -> bytes | None:
        question = data[2:4] + data[12:]  # flags and question, without the ID (a retry has a new one)
        if question not in self.seen:
            self.seen.add(question)
            self.dropped += 1
            return None
        return super()._reply(data)


def test_every_question_lost_once_still_gets_its_answer() -> None:
    with DropsFirstCopy(RECORDS, delay=0.0) as server:
        start = time.monotonic()
        found = asyncio.run(check_dns(f"node.{ZONE}", nameservers=[server.nameserver], timeout=2.0))
        took = time.monotonic() - start
        dropped = server.dropped
    by_check = {f.check: f for f in found}
    assert by_check["dns.a"].evidence["addresses"] == ["127.0.0.1"], by_check["dns.a"]  # (private: a warning)
    assert by_check["dns.authority"].status == Status.PASS, by_check["dns.authority"]  # asked without recursion
    assert not [f for f in found if f.code == "timeout"], [(f.check, f.message) for f in found]
    assert dropped >= 4  # CNAME, A, AAAA, SOA and the direct question each came twice
    assert took < 2.0 * 4  # a retry after half the timeout per question, not a timeout per question


def test_a_silent_server_still_ends_at_the_timeout() -> None:
    with silent_udp() as port:
        start = time.monotonic()
        found = asyncio.run(check_dns(f"node.{ZONE}", nameservers=[f"127.0.0.1:{port}"], timeout=2.0,
                                      authority=False))
        took = time.monotonic() - start
    assert any(f.check == "dns.a" and f.code == "timeout" for f in found)
    assert took < 2.0 * 2 + 1, took
