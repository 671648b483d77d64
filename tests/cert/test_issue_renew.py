"""`pmwizard cert issue` and `cert renew` against pebble (a real RFC 8555 CA) on loopback, the names
resolved by Knot, the challenge answered by the standalone listener and then by nginx running pmwizard's own
site: the certificate for a node name plus a consortium name is issued, written 0600/where the site expects
it, served by nginx and passes every tls.* check with pebble's root; renewal replaces it and nginx serves
the new one."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from tests.cert.conftest import (
    CONSORTIUM,
    NODE,
    Pebble,
    pmwizard,
    reload_command,
    served_leaf_der,
    site_nginx,
)
from tests.support.ports import free_port

pytestmark = pytest.mark.servers


def issue_args(pebble: Pebble, tmp: Path, *names: str, https_port: int = 443) -> list[str]:
    return ["cert", "issue", *names[:1], *[a for n in names[1:] for a in ("--name", n)],
            "--acme-directory", pebble.directory, "--ca-file", str(pebble.ca_file),
            "--caa-identity", "pebble.pmwizard.test", "--email", "ops@acmenode.test",
            "--http-port", str(pebble.http_port), "--https-port", str(https_port), "--listen", "127.0.0.1",
            "--reload-command", reload_command(tmp / "nginx"),
            "--nameserver", pebble.knot.nameserver, "--webroot", str(tmp / "webroot"),
            "--cert", str(tmp / "live" / "fullchain.pem"), "--key", str(tmp / "live" / "privkey.pem"),
            "--config-dir", str(tmp / "acme"), "--check-ca-file", str(pebble.issuing_root)]


def leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def sans(cert: x509.Certificate) -> set[str]:
    return set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
               .get_values_for_type(x509.DNSName))


def findings(stdout: str) -> dict[tuple[str, str], str]:
    """{(check, target): code} of a --json report, and the statuses must all be pass/warn."""
    doc = json.loads(stdout)
    return {(f["check"], f["target"]): f["code"] for f in doc["findings"]}


def test_issue_standalone_then_served_by_nginx_then_renewed(tmp_path: Path, pebble: Pebble) -> None:
    live = tmp_path / "live"
    https_port = free_port()
    args = issue_args(pebble, tmp_path, NODE, CONSORTIUM, https_port=https_port)

    # --check: the pre-flight runs (DNS, the challenge path answering), the CA is not asked, nothing written
    r = pmwizard(*args, "--check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "acme.http01" in r.stdout and "private key: content not shown" in r.stdout
    assert not live.exists() and not (tmp_path / "acme").exists()

    # --yes with no web server on the HTTP-01 port: the standalone listener answers
    r = pmwizard(*args, "--yes", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["mode"] == "standalone"
    codes = findings(r.stdout)
    assert codes[("acme.order", NODE)] == "issued"
    assert codes[("acme.here", NODE)] == codes[("acme.here", CONSORTIUM)] == "ok"
    assert codes[("dns.caa", NODE)] == "ok"
    cert_file, key_file = live / "fullchain.pem", live / "privkey.pem"
    assert {w["path"] for w in doc["written"]} >= {str(cert_file), str(key_file)}
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and stat.S_IMODE(live.stat().st_mode) == 0o700
    key_text = key_file.read_text()
    assert "PRIVATE KEY" in key_text and key_text not in r.stdout + r.stderr
    account_keys = list((tmp_path / "acme" / "accounts").glob("*/account.key"))
    assert len(account_keys) == 1 and stat.S_IMODE(account_keys[0].stat().st_mode) == 0o600
    assert account_keys[0].read_text() not in r.stdout + r.stderr
    first = leaf(cert_file)
    assert sans(first) == {NODE, CONSORTIUM}
    assert len(x509.load_pem_x509_certificates(cert_file.read_bytes())) >= 2, "the full chain, not the leaf alone"

    with site_nginx(tmp_path / "nginx", cert=cert_file, key=key_file, webroot=tmp_path / "webroot",
                    http_port=pebble.http_port, https_port=https_port) as nginx:
        # nginx serves it, and `check tls` with pebble's issuing root passes every tls.* check
        assert served_leaf_der(nginx.https_port, NODE) == first.public_bytes(Encoding.DER)
        r = pmwizard("check", "tls", NODE, "--port", str(nginx.https_port), "--name", CONSORTIUM,
                     "--ca-file", str(pebble.issuing_root), "--nameserver", pebble.knot.nameserver, "--json")
        assert r.returncode == 0, r.stdout
        tls = [f for f in json.loads(r.stdout)["findings"] if f["check"].startswith("tls.")]
        assert {f["check"] for f in tls} >= {"tls.connect", "tls.chain", "tls.name", "tls.validity", "tls.key",
                                            "tls.signature", "tls.protocol"}
        assert all(f["status"] == "pass" for f in tls), tls

        # --check with nginx on the HTTP-01 port: the webroot way, looked at without writing a token
        r = pmwizard(*args, "--check", "--json")
        assert r.returncode == 0, r.stdout + r.stderr
        probe = ("acme.http01", f"{NODE} via 127.0.0.1:{pebble.http_port}")
        assert json.loads(r.stdout)["mode"] == "webroot" and findings(r.stdout)[probe] == "ok"
        assert not (tmp_path / "webroot").exists()

        # not due with a 1-day window: nothing contacted, nothing written
        r = pmwizard("cert", "renew", "--yes", "--config-dir", str(tmp_path / "acme"), "--days", "1", "--json")
        assert r.returncode == 0, r.stdout + r.stderr
        assert findings(r.stdout)[("acme.renew", NODE)] == "not_due" and json.loads(r.stdout)["written"] == []

        # pebble's 25-day certificate is within 30 days: renewed through nginx's webroot, nginx reloaded
        r = pmwizard("cert", "renew", "--yes", "--config-dir", str(tmp_path / "acme"), "--json")
        assert r.returncode == 0, r.stdout + r.stderr
        doc = json.loads(r.stdout)
        codes = findings(r.stdout)
        assert doc["renewed"] == [NODE] and codes[("acme.renew", NODE)] == "renewed"
        assert codes[("cert.reload", reload_command(tmp_path / "nginx"))] == "ok"
        live_tls = [f for f in doc["findings"] if f["check"].startswith("tls.")]
        assert live_tls and all(f["status"] == "pass" for f in live_tls), live_tls
        second = leaf(cert_file)
        assert second.serial_number != first.serial_number and sans(second) == {NODE, CONSORTIUM}
        assert key_file.read_text() == key_text, "a renewal reuses the key: key files are never overwritten"
        backups = [Path(w["backup"]) for w in doc["written"] if w["path"] == str(cert_file)]
        assert backups and leaf(backups[0]).serial_number == first.serial_number
        assert served_leaf_der(nginx.https_port, NODE) == second.public_bytes(Encoding.DER)
        assert not list((tmp_path / "webroot" / ".well-known" / "acme-challenge").iterdir()), "tokens cleaned up"
