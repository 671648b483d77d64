"""Certificate files before deployment, and the key + CSR plan (key 0600, never overwritten, never shown)."""

from __future__ import annotations

import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pmwizard.checks.certfiles import check_cert_files, csr_plan, plan_preview
from pmwizard.checks.finding import Status
from pmwizard.errors import InputError, WriteRefused
from tests.support.pki import TestPKI

from .coverage import seen

NAMES = ["node1.example.test"]


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI()


def codes(findings, check):
    return [f.code for f in seen(findings) if f.check == check]


def test_good_fullchain_and_key(pki, tmp_path) -> None:
    cert, key = pki.leaf(NAMES).write(tmp_path, "good")
    found = check_cert_files(cert, key, ca_file=pki.write_root(tmp_path / "root.pem"))
    assert {f.status for f in found} == {Status.PASS}, [f.to_json() for f in found if f.status != Status.PASS]
    assert codes(found, "tls.files") == ["ok", "ok"]


def test_cert_pem_instead_of_fullchain_is_incomplete(pki, tmp_path) -> None:
    cert, key = pki.leaf(NAMES).write(tmp_path, "leaf", chain=False)
    found = check_cert_files(cert, key, ca_file=pki.write_root(tmp_path / "root.pem"))
    assert codes(found, "tls.chain") == ["incomplete"]


def test_key_of_another_certificate(pki, tmp_path) -> None:
    cert, _ = pki.leaf(NAMES).write(tmp_path, "a")
    _, other_key = pki.leaf(NAMES).write(tmp_path, "b")
    found = check_cert_files(cert, other_key)
    assert codes(found, "tls.files") == ["key_mismatch"]
    assert "ssl_certificate_key" in next(f for f in found if f.code == "key_mismatch").fix
    text = " ".join(str(f.to_json()) for f in found)
    assert "PRIVATE KEY" not in text


def test_chain_out_of_order_and_unreadable(pki, tmp_path) -> None:
    issued = pki.leaf(NAMES)
    swapped = tmp_path / "swapped.pem"
    swapped.write_bytes(issued.chain[0].public_bytes(serialization.Encoding.PEM) + issued.cert_pem)
    found = check_cert_files(swapped, names=NAMES, ca_file=pki.write_root(tmp_path / "root.pem"))
    assert codes(found, "tls.files") == ["order"]
    assert codes(found, "tls.chain") == ["ok"], "judged in the right order after saying it is wrong"
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    assert codes(check_cert_files(junk), "tls.files") == ["unreadable"]
    assert codes(check_cert_files(tmp_path / "missing.pem"), "tls.files") == ["unreadable"]


def test_csr_plan_writes_key_0600_and_never_overwrites(tmp_path) -> None:
    out = tmp_path / "tls"
    plan, key_file, csr_file = csr_plan("Node1.Example.Test", ["node1.consortium.test"], out)
    preview = plan_preview(plan, [key_file])
    assert "PRIVATE KEY" not in preview and "content not shown" in preview and "CERTIFICATE REQUEST" in preview
    assert not out.exists(), "a preview writes nothing"
    plan.apply()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(out.stat().st_mode) == 0o700
    csr = x509.load_pem_x509_csr(csr_file.read_bytes())
    san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["node1.example.test", "node1.consortium.test"]
    before = key_file.read_bytes()
    with pytest.raises(WriteRefused):
        csr_plan("node1.example.test", [], out)
    assert key_file.read_bytes() == before
    with pytest.raises(InputError, match="--name"):
        csr_plan("node1.example.test", ["bad_name!"], tmp_path / "other")


def test_a_private_roots_leaf_is_untrusted_root_not_incomplete(pki, tmp_path) -> None:
    """Signed directly by a CA this machine does not trust (no AIA: a private CA): 'untrusted root (give the
    CA)', and trusted once that CA's certificate is given."""
    cert, key = pki.leaf_of_root(NAMES).write(tmp_path, "private", chain=False)
    chain = [f for f in check_cert_files(cert, key) if f.check == "tls.chain"]
    assert [(f.code, f.status) for f in chain] == [("untrusted", Status.FAIL)]
    assert chain[0].message.startswith("untrusted root (give the CA)") and "--ca-file" in chain[0].fix
    given = check_cert_files(cert, key, ca_file=pki.write_root(tmp_path / "root.pem"))
    assert codes(given, "tls.chain") == ["ok"]


def test_no_certbot_line_for_an_ip_name(pki, tmp_path) -> None:
    cert, key = pki.leaf(NAMES).write(tmp_path, "named")
    found = check_cert_files(cert, key, names=["192.0.2.7"], ca_file=pki.write_root(tmp_path / "root.pem"))
    mismatch = [f for f in found if f.check == "tls.name" and f.code == "mismatch"]
    assert len(mismatch) == 1 and "192.0.2.7 is an IP address" in mismatch[0].fix
    assert "certbot --nginx -d 192.0.2.7" not in mismatch[0].fix and "IP:192.0.2.7" in mismatch[0].fix
