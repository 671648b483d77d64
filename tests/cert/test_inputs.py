"""Bad input to `cert` gets one line naming the field (exit 1, no traceback, nothing written); the CA's
problem types are each explained with a fix; `cert renew` with damaged or missing records says so;
`cert schedule` previews and writes the systemd timer pair or the cron file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmwizard.acme.explain import order_problem
from tests.cert.conftest import NODE, Pebble, pmwizard
from tests.cert.test_issue_renew import issue_args

PREFIX = "urn:ietf:params:acme:error:"


@pytest.mark.parametrize(("typ", "code", "fix_has"), [
    ("rateLimited", "rate_limited", "--staging"),
    ("caa", "caa", 'IN CAA 0 issue "letsencrypt.org"'),
    ("dns", "dns", "IN A YOUR.PUBLIC.IPV4"),
    ("connection", "connection", "ufw allow 80/tcp"),
    ("unauthorized", "unauthorized", "/.well-known/acme-challenge/"),
    ("incorrectResponse", "unauthorized", "--http-01 standalone"),
    ("rejectedIdentifier", "rejected", "registered domain"),
    ("serverInternal", "server", "Try again"),
    ("badCSR", "refused", "check dns"),
])
def test_each_ca_problem_has_its_fix(typ: str, code: str, fix_has: str) -> None:
    f = order_problem("node1.example.org", PREFIX + typ, "the CA's words\x1b[31m", caa_identity=None, http_port=80)
    assert f.check == "acme.order" and f.code == code and fix_has in f.fix, f
    assert "\x1b" not in f.message, "the CA's text is shown escaped"
    assert (f.status == "error") == (typ in ("rateLimited", "serverInternal"))


@pytest.mark.parametrize(("args", "field"), [
    (["--acme-directory", "http://ca.example/dir"], "--acme-directory"),
    (["--email", "not-an-address"], "--email"),
    (["--staging", "--acme-directory", "https://ca.example/dir"], "--staging"),
    (["--public-ip", "300.1.1.1"], "--public-ip"),
    (["--name", "bad name!"], "--name"),
    (["--ca-file", "/nonexistent/ca.pem"], "--ca-file"),
])
def test_bad_input_is_one_line(tmp_path: Path, args: list[str], field: str) -> None:
    r = pmwizard("cert", "issue", NODE, *args, "--config-dir", str(tmp_path / "acme"), "--yes")
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and field in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "acme").exists()


@pytest.mark.servers
def test_a_key_file_that_is_not_a_key_is_refused_and_kept(tmp_path: Path, pebble: Pebble) -> None:
    args = issue_args(pebble, tmp_path, NODE)
    key = tmp_path / "live" / "privkey.pem"
    key.parent.mkdir()
    key.write_text("not a key\n")
    r = pmwizard(*args, "--yes")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert f"{key}: --key: exists but is not an unencrypted PEM private key" in r.stderr
    assert key.read_text() == "not a key\n" and sorted(p.name for p in key.parent.iterdir()) == ["privkey.pem"]


def test_renew_without_records_and_with_a_damaged_one(tmp_path: Path) -> None:
    r = pmwizard("cert", "renew", "--yes", "--config-dir", str(tmp_path), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["findings"][0]["code"] == "none"
    (tmp_path / "renewal").mkdir()
    bad = tmp_path / "renewal" / "node1.example.org.json"
    bad.write_text(json.dumps({"pmwizard": "pmwizard-acme-renewal/1", "hostname": "node1.example.org",
                               "names": [], "http_port": 99999}))
    r = pmwizard("cert", "renew", "--yes", "--config-dir", str(tmp_path), "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    f = json.loads(r.stdout)["findings"][0]
    assert f["code"] == "bad_record" and str(bad) in f["message"] and "http_port" in f["message"]


def test_schedule_systemd_and_cron(tmp_path: Path) -> None:
    units = tmp_path / "systemd"
    r = pmwizard("cert", "schedule", "--output", str(units), "--config-dir", str(tmp_path / "acme"), "--check")
    assert r.returncode == 0 and f"cert renew --yes --config-dir {tmp_path / 'acme'}" in r.stdout
    assert "+OnCalendar=*-*-* 00,12:00:00" in r.stdout and not units.exists()
    r = pmwizard("cert", "schedule", "--output", str(units), "--config-dir", str(tmp_path / "acme"), "--yes")
    assert r.returncode == 0
    service = (units / "pmwizard-renew.service").read_text()
    exec_start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    assert exec_start.split("=", 1)[1].startswith("/")
    assert "Persistent=true" in (units / "pmwizard-renew.timer").read_text()
    cron = tmp_path / "cron.d" / "pmwizard-renew"
    r = pmwizard("cert", "schedule", "--cron", "--output", str(cron), "--config-dir", str(tmp_path / "acme"), "--yes")
    assert r.returncode == 0 and " root /" in cron.read_text() and "cert renew" in cron.read_text()
    r = pmwizard("cert", "schedule", "--output", str(units), "--config-dir", str(tmp_path / "a b"), "--yes")
    assert r.returncode == 1 and "--config-dir" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("module", ["pmwizard.acme.issue", "pmwizard.acme.renew", "pmwizard.acme.schedule",
                                    "pmwizard.cli.cert"])
def test_headless_and_the_parser_does_not_load_the_acme_library(module: str) -> None:
    """The ACME logic runs without Textual/Rich; building the CLI parser loads no ACME library (start-up)."""
    import subprocess
    import sys

    code = (f"import sys, {module}\nfrom pmwizard.cli import build_parser\nbuild_parser()\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich', 'acme', 'josepy', "
            "'requests'}))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stdout + r.stderr


def test_a_failed_renewal_leaves_the_old_files(tmp_path: Path) -> None:
    """The CA cannot be reached (a closed loopback port): the renewal fails with the reason, exit 1, and the
    certificate, key and record stay exactly as they were."""
    from pmwizard.acme.request import RenewalRecord, make_request
    from tests.support.pki import TestPKI
    from tests.support.ports import free_port

    live = tmp_path / "live"
    cert, key = TestPKI("old").leaf([NODE], days=(-80, 10)).write(live, "old")
    req = make_request(NODE, directory=f"https://localhost:{free_port()}/dir", cert=cert, key=key,
                       config_dir=tmp_path / "acme", timeout=2.0)
    req.record_path.parent.mkdir(parents=True)
    req.record_path.write_text(RenewalRecord(req).to_json())
    before = {p: p.read_bytes() for p in (cert, key, req.record_path)}
    r = pmwizard("cert", "renew", "--check", "--config-dir", str(tmp_path / "acme"), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["findings"][0]["code"] == "due"
    r = pmwizard("cert", "renew", "--yes", "--config-dir", str(tmp_path / "acme"), "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    codes = {(f["check"], f["code"]) for f in json.loads(r.stdout)["findings"]}
    assert {("acme.directory", "unreachable"), ("acme.renew", "failed")} <= codes
    assert {p: p.read_bytes() for p in (cert, key, req.record_path)} == before
    assert sorted(p.name for p in live.iterdir()) == ["old.crt", "old.key"]


def test_services_nginx_serves_the_webroot_cert_issue_uses(tmp_path: Path) -> None:
    site = tmp_path / "site"
    r = pmwizard("services", "nginx", "--hostname", NODE, "--webroot", str(tmp_path / "acme-web"), "--output",
                 str(site), "--yes")
    assert r.returncode == 0, r.stderr
    text = site.read_text()
    block = text[text.index("location ^~ /.well-known/acme-challenge/"):]
    assert f'root "{tmp_path / "acme-web"}";' in block.split("}")[0]
    assert "return 301 https://$host$request_uri;" in text, "everything else still redirects to HTTPS"


@pytest.mark.servers
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path, pebble: Pebble) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")
    args = issue_args(pebble, tmp_path, NODE)
    args[args.index("--config-dir") + 1] = str(blocker / "acme")
    r = pmwizard(*args, "--yes")
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if not line.startswith("... ")]  # progress lines aside
    assert len(errors) == 1 and errors[0].startswith(f"pmwizard: {blocker}/") and "Not a directory" in errors[0]
    assert not (tmp_path / "live").exists() and blocker.read_text() == "in the way\n"


def test_here_is_this_machine_or_the_public_ip_given() -> None:
    from pmwizard.acme.preflight import here_finding

    assert here_finding("n.example.org", ["127.0.0.1"], []).code == "ok"
    assert here_finding("n.example.org", ["203.0.113.9"], ["203.0.113.9"]).code == "ok"
    # a public address on no interface: behind NAT it may still be this machine
    behind_nat = here_finding("n.example.org", ["8.8.8.8"], [])
    assert (behind_nat.status, behind_nat.code) == ("warn", "unknown") and "--public-ip" in behind_nat.fix
    # ... but not when --public-ip says otherwise, and never a private address that is not here
    for addresses, public in ((["8.8.8.8"], ["203.0.113.9"]), (["10.1.2.3"], [])):
        f = here_finding("n.example.org", addresses, public)
        assert (f.status, f.code) == ("fail", "elsewhere") and "IN A" in f.fix
    assert here_finding("n.example.org", [], []).code == "no_address"
