"""Failures end in a clear finding with the fix, exit 1, and leave the old certificate and key exactly as
they were: a name pointing elsewhere and CAA naming another CA (caught before the CA is asked), pebble
unreachable, the CA refusing a name (its own rejectedIdentifier, explained), and no web server serving the
webroot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cert.conftest import BLOCKED, CAA_HOST, ELSEWHERE, NODE, Pebble, pmwizard
from tests.cert.test_issue_renew import issue_args
from tests.support.pki import TestPKI
from tests.support.ports import free_port

pytestmark = pytest.mark.servers


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("name", "extra", "check", "code", "fix_has"), [
    (ELSEWHERE, [], "acme.here", "elsewhere", "IN A"),
    (CAA_HOST, [], "dns.caa", "forbids", 'IN CAA 0 issue "pebble.pmwizard.test"'),
    (NODE, ["--acme-directory", "UNREACHABLE"], "acme.directory", "unreachable", "--acme-directory"),
    (BLOCKED, [], "acme.order", "rejected", "public DNS name"),
    (NODE, ["--http-01", "webroot"], "acme.http01", "closed", "pmwizard services nginx"),
], ids=["a-record-elsewhere", "caa-other-ca", "ca-unreachable", "ca-rejects-name", "webroot-not-served"])
def test_failure_is_explained_and_old_files_stay(tmp_path: Path, pebble: Pebble, name: str, extra: list[str],
                                                 check: str, code: str, fix_has: str) -> None:
    live = tmp_path / "live"
    TestPKI("old").leaf([name]).write(live, "old")
    (live / "old.crt").rename(live / "fullchain.pem")
    (live / "old.key").rename(live / "privkey.pem")
    before = snapshot(live)
    args = issue_args(pebble, tmp_path, name)
    if "UNREACHABLE" in extra:
        args[args.index(pebble.directory)] = f"https://localhost:{free_port()}/dir"
        extra = []
    r = pmwizard(*args, *extra, "--yes", "--json")
    could_not_ask = code == "unreachable"  # exit 3: could not check (the CA did not answer), not a failed check
    assert r.returncode == (3 if could_not_ask else 1), r.stdout + r.stderr
    doc = json.loads(r.stdout)
    hits = [f for f in doc["findings"] if f["check"] == check and f["code"] == code]
    assert hits, doc["findings"]
    assert hits[0]["status"] in ("fail", "error") and fix_has in hits[0]["fix"], hits[0]
    assert doc["written"] == [] and doc["not_after"] is None
    assert snapshot(live) == before, "the old certificate and key are untouched"
    assert (live / "privkey.pem").read_text() not in r.stdout + r.stderr
    if check != "acme.order":  # stopped before the CA was asked: no account key was made either
        assert not (tmp_path / "acme").exists()
    assert not list(live.glob("*.bak"))
    text = pmwizard(*args, *extra, "--yes")
    assert text.returncode == (3 if could_not_ask else 1) and "Traceback" not in text.stderr
    assert check in text.stdout


def test_the_cas_own_validation_failure_is_explained(tmp_path: Path, pebble: Pebble) -> None:
    """Below the pre-flight (which would have caught it): the order goes to pebble while nothing listens on
    the HTTP-01 port, so pebble's validation fails and its `connection` problem comes back explained."""
    from pmwizard.acme.challenge import WebrootResponder
    from pmwizard.acme.issue import new_private_key
    from pmwizard.acme.order import AcmeFailure, obtain, open_directory
    from pmwizard.acme.request import make_request

    req = make_request(NODE, directory=pebble.directory, ca_file=pebble.ca_file, http_port=pebble.http_port,
                       config_dir=tmp_path / "acme")
    ca, found = open_directory(req)
    assert ca is not None, found
    responder = WebrootResponder(tmp_path / "unserved")  # token files nobody serves
    with pytest.raises(AcmeFailure) as failed:
        obtain(req, ca, new_private_key(), new_private_key(), responder, lambda _: None, None)
    responder.close()
    problem = failed.value.findings[0]
    assert (problem.check, problem.code, problem.target) == ("acme.order", "connection", NODE), problem
    assert f"port {pebble.http_port}" in problem.message and "Open TCP port" in problem.fix
    assert problem.evidence["type"] == "urn:ietf:params:acme:error:connection"
