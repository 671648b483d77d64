"""TLS checks against real servers on loopback (nginx and Python ssl) with a PKI the tests generate,
plus real-socket faults: refused port, a server that never finishes the handshake, plain HTTP."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from pmwizard.checks.finding import Status
from pmwizard.checks.tlscheck import check_tls
from tests.support.faults import http_text_server, refused_port, silent_tcp
from tests.support.nginx import nginx_tls
from tests.support.pki import TestPKI
from tests.support.tlsserver import tls_server

from .coverage import one, seen

pytestmark = pytest.mark.servers
NAMES = ["tls.good.test", "*.consortium.test", "consortium.test"]


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI()


@pytest.fixture(scope="module")
def root(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pki.write_root(tmp_path_factory.mktemp("root") / "root.pem")


async def served(pki_leaf, tmp_path: Path, *, chain: bool = True, root: Path | None = None, names=(),
                 **server_kw) -> list:
    cert, key = pki_leaf.write(tmp_path, "srv", chain=chain)
    with tls_server(cert, key, **server_kw) as srv:
        return seen(await check_tls("tls.good.test", port=srv.port, addresses=["127.0.0.1"], ca_file=root,
                                    names=names, timeout=3.0))


async def test_nginx_good_chain_over_dns(pki, root, knot, tmp_path) -> None:
    cert, key = pki.leaf(NAMES).write(tmp_path, "good")
    with nginx_tls(tmp_path / "nginx", cert, key, server_name="tls.good.test") as port:
        f = seen(await check_tls("tls.good.test", port=port, names=["node1.consortium.test", "consortium.test"],
                                 ca_file=root, nameservers=[knot.nameserver], timeout=3.0))
    assert {x.status for x in f} == {Status.PASS}, [x.to_json() for x in f if x.status != Status.PASS]
    assert {x.check for x in f} >= {"tls.connect", "tls.chain", "tls.name", "tls.validity", "tls.key",
                                    "tls.signature", "tls.protocol"}
    assert len([x for x in f if x.check == "tls.name"]) == 3
    assert one(f, "tls.connect").target == f"tls.good.test:{port} via 127.0.0.1"
    assert one(f, "tls.protocol").evidence["protocol"] in ("TLSv1.2", "TLSv1.3")


async def test_nginx_leaf_without_intermediate_is_incomplete(pki, root, tmp_path) -> None:
    cert, key = pki.leaf(NAMES).write(tmp_path, "leafonly", chain=False)
    with nginx_tls(tmp_path / "nginx", cert, key) as port:
        f = seen(await check_tls("tls.good.test", port=port, addresses=["127.0.0.1"], ca_file=root, timeout=3.0))
    chain = one(f, "tls.chain")
    assert (chain.status, chain.code) == (Status.FAIL, "incomplete")
    assert "pmwizard test intermediate" in chain.message
    assert "fullchain.pem;" in chain.fix and "ssl_certificate" in chain.fix


async def test_untrusted_without_the_root(pki, tmp_path) -> None:
    chain = one(await served(pki.leaf(NAMES), tmp_path), "tls.chain")
    assert (chain.status, chain.code) == (Status.FAIL, "untrusted")
    assert "--ca-file" in chain.fix


async def test_self_signed(pki, root, tmp_path) -> None:
    chain = one(await served(pki.leaf(NAMES, self_signed=True), tmp_path, root=root), "tls.chain")
    assert (chain.status, chain.code) == (Status.FAIL, "self_signed")


async def test_wrong_name_for_every_name_clients_type(pki, root, tmp_path) -> None:
    f = await served(pki.leaf(["other.test"]), tmp_path, root=root, names=["node2.consortium.test"])
    bad = [x for x in f if x.check == "tls.name"]
    assert [(x.code, x.evidence["name"]) for x in bad] == [("mismatch", "tls.good.test"),
                                                         ("mismatch", "node2.consortium.test")]
    assert "server_name node2.consortium.test;" in bad[1].fix
    assert one(f, "tls.chain").code == "ok", "a wrong name is tls.name's finding, not an untrusted chain"


@pytest.mark.parametrize(("days", "code", "status"), [
    ((-30, -1), "expired", Status.FAIL), ((2, 90), "not_yet_valid", Status.FAIL), ((-60, 10), "expiring", Status.WARN),
])
async def test_validity(pki, root, tmp_path, days, code, status) -> None:
    f = await served(pki.leaf(NAMES, days=days), tmp_path, root=root)
    v = one(f, "tls.validity")
    assert (v.code, v.status) == (code, status) and v.fix
    assert one(f, "tls.chain").code == "ok"


async def test_weak_key_and_sha1_signature(pki, root, tmp_path) -> None:
    key = one(await served(pki.leaf(NAMES, key="rsa1024"), tmp_path / "k", root=root), "tls.key")
    assert (key.status, key.code, key.evidence["key"]) == (Status.FAIL, "weak", "RSA 1024 bits")
    sig = one(await served(pki.leaf(NAMES, hash=hashes.SHA1()), tmp_path / "s", root=root), "tls.signature")
    assert (sig.status, sig.code) == (Status.FAIL, "weak")
    assert "SHA1" in sig.message


async def test_old_protocol(pki, root, tmp_path) -> None:
    # OpenSSL 3 allows TLS 1.0/1.1 only at security level 0; both ends of this test set it.
    f = await served(pki.leaf(NAMES, key="rsa2048"), tmp_path, root=root, max_version=ssl.TLSVersion.TLSv1_1)
    p = one(f, "tls.protocol")
    assert (p.status, p.code, p.evidence["protocol"]) == (Status.FAIL, "old", "TLSv1.1")
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in p.fix


async def test_refused_and_plain_http() -> None:
    with refused_port() as port:
        c = one(await check_tls("tls.good.test", port=port, addresses=["127.0.0.1"], timeout=2.0), "tls.connect")
    assert (c.status, c.code) == (Status.FAIL, "refused") and "listen" in c.fix
    with http_text_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n") as port:
        c = one(await check_tls("tls.good.test", port=port, addresses=["127.0.0.1"], timeout=2.0), "tls.connect")
    assert (c.status, c.code) == (Status.FAIL, "not_tls")


async def test_never_finishing_handshake_costs_at_most_the_timeout() -> None:
    with silent_tcp() as port:
        start = time.monotonic()
        c = one(await check_tls("tls.good.test", port=port, addresses=["127.0.0.1"], timeout=1.0), "tls.connect")
        took = time.monotonic() - start
    assert (c.status, c.code) == (Status.ERROR, "timeout")
    assert took < 4.0, f"a stalled handshake with timeout 1 s took {took:.1f} s"


async def test_ipv6_nameserver_and_each_address_separately(pki, root, tmp_path) -> None:
    """Knot on [::1]; the name has A 127.0.0.1 and AAAA ::1, and TLS listens on ::1 only: the IPv4
    address is refused while IPv6 clients get a good certificate."""
    from tests.support.dnsserver import knot_server, zone_text

    zone = {"six.test": zone_text([("www", "A", "127.0.0.1"), ("www", "AAAA", "::1")])}
    cert, key = pki.leaf(["www.six.test"]).write(tmp_path, "six")
    with knot_server(tmp_path / "knot6", zone, host="::1") as knot6, tls_server(cert, key, host="::1") as srv:
        assert knot6.nameserver.startswith("[::1]:")
        from pmwizard.checks.dnscheck import check_dns

        dns_found = seen(await check_dns("www.six.test", nameservers=[knot6.nameserver], timeout=2.0))
        assert one(dns_found, "dns.aaaa").code == "private"
        assert one(dns_found, "dns.authority").code == "agree", "authority asked on [::1] at --nameserver's port"
        f = seen(await check_tls("www.six.test", port=srv.port, ca_file=root, nameservers=[knot6.nameserver],
                                 timeout=3.0))
    connects = {x.evidence["address"]: x.code for x in f if x.check == "tls.connect"}
    assert connects == {"127.0.0.1": "refused", "::1": "ok"}
    assert one(f, "tls.chain").target == f"www.six.test:{srv.port} via [::1]"
