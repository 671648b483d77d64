"""The check and doctor commands as a person runs them: real processes, exit codes, --json, text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.report import finding_line, render_text
from tests.support.pki import TestPKI
from tests.support.tlsserver import tls_server

from .coverage import seen

pytestmark = pytest.mark.servers


def pmwizard(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pmwizard", *args], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, **(env or {})})


def test_check_dns_json_and_exit_codes(knot) -> None:
    ok = pmwizard("check", "dns", "www.good.test", "--expect-ip", "8.8.8.8", "--nameserver", knot.nameserver,
                  "--json")
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(ok.stdout)
    assert set(doc) == {"schema", "findings", "summary"} and doc["schema"] == "pmwizard/findings/1"
    assert doc["summary"]["fail"] == 0
    assert set(doc["findings"][0]) == {"check", "target", "status", "code", "message", "fix", "evidence"}
    bad = pmwizard("check", "dns", "dangle.good.test", "--nameserver", knot.nameserver, "--json")
    assert bad.returncode == 1
    seen(Finding(**{**f, "status": Status(f["status"])}) for f in json.loads(bad.stdout)["findings"])
    assert any(f["code"] == "dangling" for f in json.loads(bad.stdout)["findings"])


def test_usage_and_input_errors() -> None:
    assert pmwizard("check", "dns").returncode == 2
    r = pmwizard("check", "dns", "www.good.test", "--nameserver", "not-an-ip")
    assert r.returncode == 1 and "--nameserver" in r.stderr and "Traceback" not in r.stderr
    r = pmwizard("check", "tls", "localhost", "--ca-file", "/nonexistent/root.pem")
    assert r.returncode == 1 and "/nonexistent/root.pem" in r.stderr and "Traceback" not in r.stderr
    r = pmwizard("doctor", "--rpc", "garbage")
    assert r.returncode == 1 and "--rpc" in r.stderr


def test_check_tls_text_without_colour(knot, tmp_path) -> None:
    pki = TestPKI()
    cert, key = pki.leaf(["tls.good.test"]).write(tmp_path, "srv")
    with tls_server(cert, key) as srv:
        r = pmwizard("check", "tls", "tls.good.test", "--port", str(srv.port), "--name", "other.good.test",
                     "--nameserver", knot.nameserver, "--ca-file", str(pki.write_root(tmp_path / "root.pem")))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "\033[" not in r.stdout, "no colour when stdout is not a terminal"
    assert "✗ FAIL  tls.name" in r.stdout and "mismatch" in r.stdout and "fix: " in r.stdout
    assert "✓ pass  tls.chain" in r.stdout


def test_csr_check_then_yes(tmp_path) -> None:
    out = tmp_path / "tls"
    r = pmwizard("check", "csr", "--hostname", "node1.example.test", "-o", str(out), "--check")
    assert r.returncode == 0 and "content not shown" in r.stdout and "PRIVATE KEY" not in r.stdout
    assert not out.exists()
    r = pmwizard("check", "csr", "--hostname", "node1.example.test", "-o", str(out), "--yes")
    assert r.returncode == 0 and "PRIVATE KEY" not in r.stdout + r.stderr
    assert (out / "node1.example.test.key").exists() and (out / "node1.example.test.csr").exists()
    again = pmwizard("check", "csr", "--hostname", "node1.example.test", "-o", str(out), "--yes")
    assert again.returncode == 1 and "never overwritten" in again.stderr


def test_colour_only_when_asked_for() -> None:
    f = Finding("dns.a", "x.test", Status.WARN, "private", "10.0.0.1", fix="use the public address")
    assert "\033[33m! warn" in finding_line(f, colour=True)
    plain = render_text([f])
    assert "\033[" not in plain and "! warn" in plain and "fix: use the public address" in plain
    assert plain.splitlines()[-1] == "0 pass, 1 warn, 0 fail, 0 error"


def _run_on_terminal(args: list[str], env: dict) -> str:
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pmwizard", *args], stdout=slave, stderr=slave,
                            env={**{k: v for k, v in os.environ.items() if k != "NO_COLOR"}, **env})
    os.close(slave)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
        proc.wait(30)
    return out.decode(errors="replace")


def test_colour_on_a_terminal_unless_no_color() -> None:
    coloured = _run_on_terminal(["check", "dns", "bad_name..test"], {})
    assert "\033[31m✗ FAIL" in coloured
    plain = _run_on_terminal(["check", "dns", "bad_name..test"], {"NO_COLOR": "1"})
    assert "✗ FAIL" in plain and "\033[" not in plain


def test_checks_never_import_textual_or_rich() -> None:
    code = ("import sys, pmwizard.checks.doctor, pmwizard.checks.certfiles, pmwizard.cli.check, pmwizard.cli.doctor;"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); print(bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[]"
