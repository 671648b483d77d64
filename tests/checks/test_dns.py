"""DNS checks against a real Knot on loopback, plus real-socket faults (silent UDP, SERVFAIL)."""

from __future__ import annotations

import time

import dns.rcode
import pytest

from pmwizard.checks.dnscheck import check_dns
from pmwizard.checks.finding import Status
from pmwizard.checks.lookup import Nameserver, parse_nameserver
from pmwizard.errors import InputError
from tests.support.faults import rcode_dns_server, silent_udp

from .coverage import one, seen

pytestmark = pytest.mark.servers


async def run(knot, name, **kw):
    return seen(await check_dns(name, nameservers=[knot.nameserver], timeout=2.0, **kw))


def test_nameserver_forms() -> None:
    assert parse_nameserver("127.0.0.1") == Nameserver("127.0.0.1", 53)
    assert parse_nameserver("127.0.0.1:5353") == Nameserver("127.0.0.1", 5353)
    assert parse_nameserver("[::1]:5353") == Nameserver("::1", 5353)
    assert parse_nameserver("::1") == Nameserver("::1", 53)
    assert str(Nameserver("::1", 5353)) == "[::1]:5353"
    for bad in ("example.org", "[::1", "1.2.3.4:99999", "[::1]x"):
        with pytest.raises(InputError, match="--nameserver"):
            parse_nameserver(bad)


async def test_good_name_passes_everything(knot) -> None:
    f = await run(knot, "www.good.test", expect_ips=["8.8.8.8"])
    assert one(f, "dns.name").code == "ok"
    a = one(f, "dns.a")
    assert (a.status, a.code, a.evidence["addresses"]) == (Status.PASS, "ok", ["8.8.8.8"])
    assert one(f, "dns.aaaa").code == "ok"
    auth = one(f, "dns.authority")
    assert (auth.status, auth.code) == (Status.PASS, "agree")
    assert not [x for x in f if x.status != Status.PASS]


async def test_mismatch_names_the_zone_line(knot) -> None:
    a = one(await run(knot, "www.good.test", expect_ips=["203.0.113.7"]), "dns.a")
    assert (a.status, a.code) == (Status.FAIL, "mismatch")
    assert "www.good.test. 3600 IN A 203.0.113.7" in a.fix


async def test_nxdomain_and_nodata_told_apart(knot) -> None:
    nx = one(await run(knot, "missing.good.test", expect_ips=["8.8.8.8"]), "dns.a")
    assert (nx.status, nx.code) == (Status.FAIL, "nxdomain")
    assert "missing.good.test. 3600 IN A 8.8.8.8" in nx.fix
    nd = one(await run(knot, "txtonly.good.test"), "dns.a")
    assert (nd.status, nd.code) == (Status.FAIL, "nodata")
    assert "txtonly.good.test. 3600 IN A" in nd.fix


async def test_aaaa_absent_and_private_addresses(knot) -> None:
    f = await run(knot, "v4only.good.test")
    assert one(f, "dns.aaaa").code == "absent"
    f = await run(knot, "priv.good.test")
    a, aaaa = one(f, "dns.a"), one(f, "dns.aaaa")
    assert (a.status, a.code, aaaa.status, aaaa.code) == (Status.WARN, "private", Status.WARN, "private")
    assert a.fix and aaaa.fix


async def test_cname_ok_missing_wrong_target(knot) -> None:
    ok = one(await run(knot, "ALIAS.good.test.", cname_target="WWW.good.test."), "dns.cname")
    assert (ok.status, ok.code) == (Status.PASS, "ok")
    missing = one(await run(knot, "v4only.good.test", cname_target="node1.good.test"), "dns.cname")
    assert (missing.status, missing.code) == (Status.FAIL, "missing")
    assert "v4only.good.test. 3600 IN CNAME node1.good.test." in missing.fix
    wrong = one(await run(knot, "alias.good.test", cname_target="v4only.good.test"), "dns.cname")
    assert (wrong.status, wrong.code) == (Status.FAIL, "wrong_target")
    assert "alias.good.test. 3600 IN CNAME v4only.good.test." in wrong.fix


async def test_dangling_cname_and_loop(knot) -> None:
    f = await run(knot, "dangle.good.test")
    d = one(f, "dns.cname")
    assert (d.status, d.code) == (Status.FAIL, "dangling")
    assert "nothere.good.test" in d.message and "IN A" in d.fix
    assert not [x for x in f if x.check == "dns.a"], "a dangling CNAME is not also reported as NXDOMAIN"
    loop = one(await run(knot, "loop1.good.test"), "dns.cname")
    assert (loop.status, loop.code) == (Status.FAIL, "loop")
    assert "loop2.good.test" in loop.message


async def test_caa_allows_and_forbids(knot) -> None:
    ok = one(await run(knot, "host.caa.test", ca="LetsEncrypt.org"), "dns.caa")
    assert (ok.status, ok.code, ok.evidence["owner"]) == (Status.PASS, "ok", "caa.test")
    no = one(await run(knot, "host.caa.test", ca="sectigo.com"), "dns.caa")
    assert (no.status, no.code) == (Status.FAIL, "forbids")
    assert 'caa.test. 3600 IN CAA 0 issue "sectigo.com"' in no.fix
    free = one(await run(knot, "www.good.test", ca="sectigo.com"), "dns.caa")
    assert free.code == "ok"


async def test_authority_lame_and_disagree(knot) -> None:
    lame = one(await run(knot, "www.lame.test"), "dns.authority")
    assert (lame.status, lame.code) == (Status.FAIL, "lame")
    assert "REFUSED" in lame.message and "ns.lame.test" in lame.fix
    dis = one(await run(knot, "www.split.test"), "dns.authority")
    assert (dis.status, dis.code) == (Status.WARN, "disagree")
    assert dis.evidence["authoritative"] == ["9.9.9.9"] and dis.evidence["resolver"] == ["8.8.8.8"]


async def test_name_syntax_and_doubled_suffix(knot) -> None:
    bad = one(await run(knot, "bad_name..test"), "dns.name")
    assert (bad.status, bad.code) == (Status.FAIL, "invalid")
    doubled = one(await run(knot, "node1.good.test.good.test"), "dns.name")
    assert (doubled.status, doubled.code) == (Status.WARN, "invalid")
    assert doubled.evidence["doubled_suffix"] == "good.test"


async def test_servfail_is_error_not_fail() -> None:
    with rcode_dns_server(dns.rcode.SERVFAIL) as port:
        f = seen(await check_dns("www.good.test", nameservers=[f"127.0.0.1:{port}"], timeout=1.0))
    a = one(f, "dns.a")
    assert (a.status, a.code) == (Status.ERROR, "servfail")
    assert a.fix


async def test_silent_resolver_costs_at_most_the_timeout() -> None:
    with silent_udp() as port:
        start = time.monotonic()
        f = seen(await check_dns("www.good.test", nameservers=[f"127.0.0.1:{port}"], timeout=1.0))
        took = time.monotonic() - start
    a = one(f, "dns.a")
    assert (a.status, a.code) == (Status.ERROR, "timeout")
    assert took < 4.0, f"a silent resolver with timeout 1 s took {took:.1f} s"
