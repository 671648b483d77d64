"""A DNS timeout is not a firewall (issue 11.3): when a member's name gets no answer from the resolver (a
silent UDP DNS server on loopback), the connection checks (net.p2p, p2p.handshake, api.planetmint,
rpc.status) say they could not check because of DNS and give DNS advice (the resolver, --nameserver, the
zone's NS), never "open the port in the firewall" or "start Tendermint"; and they never fall back to the
system resolver, so nothing beyond loopback is asked."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

from pmwizard.checks.doctor import DoctorTarget, run_doctor
from pmwizard.checks.finding import Status
from tests.support.faults import silent_udp

TIMEOUT = 1.0
SLACK = 4.0  # a loaded 2-core CI machine; the point is "bounded"
CONNECTION_CHECKS = ("net.p2p", "p2p.handshake", "api.planetmint", "rpc.status")


def _assert_dns_advice(findings: list) -> None:
    by_check = {f.check: f for f in findings}
    for check in CONNECTION_CHECKS:
        f = by_check[check]
        assert f.status == Status.ERROR, (check, f)
        fix = f.fix.lower()
        assert "dns" in fix and "--nameserver" in fix and " ns " in f" {fix} ", (check, f.fix)
        assert "firewall" not in fix.replace("not a firewall", "") and "ufw" not in fix, (check, f.fix)
        assert "start tendermint" not in fix and "start planetmint" not in fix, (check, f.fix)
        assert "lookup of node1.example.test" in f.message, (check, f.message)
        assert "Name or service not known" not in f.message, (check, f.message)  # no system resolver


def test_doctor_gives_dns_advice_when_the_name_times_out() -> None:
    with silent_udp() as port:
        started = time.monotonic()
        found = asyncio.run(run_doctor([DoctorTarget(name="n1", hostname="node1.example.test", p2p_port=26656)],
                                       nameservers=[f"127.0.0.1:{port}"], timeout=TIMEOUT))
        took = time.monotonic() - started
    assert took < TIMEOUT * 2 + SLACK, took
    dns_a = [f for f in found if f.check == "dns.a"]
    assert dns_a and dns_a[0].code == "timeout"
    _assert_dns_advice(found)


def test_check_p2p_cli_gives_dns_advice_for_a_silent_resolver() -> None:
    """The same through the CLI a member runs (`pmwizard check p2p HOST:PORT --nameserver ...`)."""
    with silent_udp() as port:
        proc = subprocess.run([sys.executable, "-m", "pmwizard", "check", "p2p", "node1.example.test:26656",
                               "--nameserver", f"127.0.0.1:{port}", "--timeout", str(TIMEOUT), "--json"],
                              capture_output=True, text=True, timeout=60, env={**os.environ})
    assert proc.returncode not in (0, 2), (proc.stdout, proc.stderr)  # a finding that could not check
    doc = json.loads(proc.stdout)
    text = json.dumps(doc).lower()
    assert "p2p.handshake" in text and "not a firewall" in text and "ufw" not in text, proc.stdout
