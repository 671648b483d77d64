"""International host names as DNS, browsers and CAs spell them today (IDNA 2008, UTS #46 non-transitional):
`straße.example` is `xn--strae-oqa.example`. Python's own codec (IDNA 2003) maps ß to ss, a different domain
someone else may own; that form must appear nowhere: card, NGINX site, CSR, DNS queries."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import dns.asyncresolver
from cryptography import x509

from pmwizard.checks.certfiles import csr_plan
from pmwizard.checks.dnscheck import check_dns
from pmwizard.core import cards, keys
from pmwizard.core.hostname import to_ascii, validate_hostname
from pmwizard.demo.dns import DemoDns
from pmwizard.render.nginx import NginxSite, site_text

NAME, ACE, IDNA2003 = "straße.example", "xn--strae-oqa.example", "strasse.example"


def test_the_name_itself() -> None:
    assert to_ascii(NAME) == ACE and to_ascii("STRASSE.example") == IDNA2003
    assert to_ascii("Bücher.Example.") == "xn--bcher-kva.example"
    assert validate_hostname(NAME) == []
    assert validate_hostname("a\u200db.example"), "a joiner outside its context is not a valid IDNA 2008 label"


def test_card_nginx_and_csr_carry_the_idna2008_form(tmp_path: Path) -> None:
    keys.init_plan(tmp_path / "home").apply()
    card = cards.export_card(tmp_path / "home", NAME, name="Straße")
    assert card.hostname == ACE
    site = site_text(NginxSite(hostname=NAME, names=("bücher.example",), cert=tmp_path / "c.pem",
                               key=tmp_path / "k.pem", api_upstream="127.0.0.1:9984", ws_upstream="127.0.0.1:9985"))
    assert f"server_name {ACE} xn--bcher-kva.example;" in site and IDNA2003 not in site
    plan, key_file, csr_file = csr_plan(NAME, ["bücher.example"], tmp_path / "tls")
    assert key_file.name == f"{ACE}.key"
    csr_pem = next(c.new for c in plan.changes if c.path == csr_file)
    san = x509.load_pem_x509_csr(csr_pem).extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.value.get_values_for_type(x509.DNSName) == [ACE, "xn--bcher-kva.example"]


def test_dns_asks_for_the_idna2008_name() -> None:
    server = DemoDns("example", {ACE: "127.0.0.2", IDNA2003: "127.0.0.9"}).start()
    try:
        findings = asyncio.run(check_dns(NAME, expect_ips=["127.0.0.2"], nameservers=[f"127.0.0.1:{server.port}"],
                                         timeout=3))
    finally:
        server.stop()
    a = next(f for f in findings if f.check == "dns.a")
    assert a.code in ("ok", "private") and a.code != "mismatch", a.to_json()
    assert "127.0.0.2" in str(a.evidence) and "127.0.0.9" not in str(a.evidence)


def test_installed_dnspython_meets_the_declared_bound() -> None:
    """pyproject says dnspython>=2.9 because checks/lookup.py passes lifetime= to zone_for_name (2.9.0 added it)."""
    assert "lifetime" in inspect.signature(dns.asyncresolver.zone_for_name).parameters


def test_tls_sends_and_matches_the_idna2008_name(tmp_path: Path) -> None:
    """A real TLS server on loopback whose certificate names the A-label: SNI and tls.name use that form."""
    from pmwizard.checks.tlscheck import check_tls
    from pmwizard.demo.tls import DemoHttps, make_pki

    ca, chain, key = make_pki(tmp_path, [ACE])
    server = DemoHttps(chain, key).start()
    try:
        findings = asyncio.run(check_tls(NAME, port=server.port, ca_file=str(ca), addresses=["127.0.0.1"], timeout=5))
    finally:
        server.stop()
    by_check = {f.check: f for f in findings}
    assert by_check["tls.connect"].code == "ok" and by_check["tls.chain"].code == "ok", [f.to_json() for f in findings]
    assert by_check["tls.name"].code == "ok", by_check["tls.name"].to_json()
