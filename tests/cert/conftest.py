"""Real parts for the ACME tests: Debian's pebble (an RFC 8555 CA) on loopback resolving the test names
through Knot, and nginx running pmwizard's own site (which serves the HTTP-01 webroot).

pebble's HTTP-01 port is `Pebble.http_port`: the standalone listener and the nginx site both listen there
on 127.0.0.1, one at a time. Certificates are valid 25 days (pebble config), so `cert renew` finds them due.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pmwizard.render.nginx import NginxSite, site_text
from tests.services.procs import running
from tests.support.dnsserver import KnotServer, knot_server, zone_text
from tests.support.nginx import nginx_conf
from tests.support.pki import TestPKI
from tests.support.ports import free_port
from tests.support.require import require_binary

NODE = "node1.acmenode.test"
CONSORTIUM = "n1.acmeconsortium.test"
ELSEWHERE = "elsewhere.acmenode.test"  # its A record is TEST-NET: not this machine
BLOCKED = "blocked.acmenode.test"  # pebble's blocklist refuses it: the CA's own rejectedIdentifier
CAA_HOST = "node.acmecaa.test"  # the zone's CAA names another CA
CA_IDENTITY = "pebble.pmwizard.test"  # what the tests call pebble in CAA records
VALIDITY_DAYS = 25  # over 21 (tls.validity: not expiring), under 30 (cert renew: due)

ZONES = {
    "acmenode.test": zone_text([("node1", "A", "127.0.0.1"), ("elsewhere", "A", "192.0.2.10"),
                                ("blocked", "A", "127.0.0.1")]),
    # pebble asks Knot directly (no recursion), so the consortium name is an A record, not a CNAME into
    # another zone (which a resolver, not an authoritative server, would chase)
    "acmeconsortium.test": zone_text([("n1", "A", "127.0.0.1")]),
    "acmecaa.test": zone_text([("@", "CAA", '0 issue "otherca.example"'), ("node", "A", "127.0.0.1")]),
}


@dataclass
class Pebble:
    directory: str
    ca_file: Path  # trust for pebble's own HTTPS (the ACME API)
    issuing_root: Path  # pebble's root for the certificates it issues (management /roots/0)
    http_port: int  # where pebble sends HTTP-01 requests
    knot: KnotServer
    log: Path


@pytest.fixture(scope="session")
def acme_knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    with knot_server(tmp_path_factory.mktemp("acme-knot"), ZONES) as server:
        yield server


@pytest.fixture(scope="session")
def pebble(tmp_path_factory: pytest.TempPathFactory, acme_knot: KnotServer) -> Iterator[Pebble]:
    binary = require_binary("pebble")
    work = tmp_path_factory.mktemp("pebble")
    pki = TestPKI("pebble api")
    cert, key = pki.leaf(["localhost"]).write(work / "tls", "pebble")
    ca_file = pki.write_root(work / "api-root.pem")
    api, mgmt, http_port = free_port(), free_port(), free_port()
    (work / "pebble.json").write_text(json.dumps({"pebble": {
        "listenAddress": f"127.0.0.1:{api}", "managementListenAddress": f"127.0.0.1:{mgmt}",
        "certificate": str(cert), "privateKey": str(key), "httpPort": http_port, "tlsPort": free_port(),
        "ocspResponderURL": "", "externalAccountBindingRequired": False,
        "certificateValidityPeriod": VALIDITY_DAYS * 86400, "domainBlocklist": [BLOCKED]}}))
    env = {**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"}
    argv = [binary, "-config", str(work / "pebble.json"), "-dnsserver", f"127.0.0.1:{acme_knot.port}",
            "-strict=false"]
    log = work / "stderr.log"
    with contextlib.ExitStack() as stack:
        with _env(env):  # only while pebble starts: it inherits the environment
            stack.enter_context(running(argv, api, [], work))
        ctx = ssl.create_default_context(cafile=str(ca_file))
        root = urllib.request.urlopen(f"https://localhost:{mgmt}/roots/0", context=ctx, timeout=10).read()
        (work / "issuing-root.pem").write_bytes(root)
        yield Pebble(f"https://localhost:{api}/dir", ca_file, work / "issuing-root.pem", http_port, acme_knot, log)


@contextlib.contextmanager
def _env(env: dict[str, str]) -> Iterator[None]:
    """`running` starts the program with this process's environment: pebble's knobs are set around it."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass
class SiteNginx:
    conf: Path
    workdir: Path
    https_port: int
    http_port: int



def reload_command(workdir: Path) -> str:
    """What reloads the nginx that `site_nginx(workdir, ...)` runs (the same as `nginx -s reload`)."""
    return f"{require_binary('nginx')} -p {workdir} -e {workdir}/error.log -c {workdir}/nginx.conf -s reload"


@contextlib.contextmanager
def site_nginx(workdir: Path, *, cert: Path, key: Path, webroot: Path, http_port: int,
               https_port: int) -> Iterator[SiteNginx]:
    """nginx (foreground, master + one worker) running pmwizard's site for NODE and CONSORTIUM on loopback."""
    nginx = require_binary("nginx")
    workdir.mkdir(parents=True, exist_ok=True)
    site = NginxSite(hostname=NODE, names=(CONSORTIUM,), cert=cert, key=key, https_port=https_port,
                     http_port=http_port, api_upstream=f"127.0.0.1:{free_port()}",
                     ws_upstream=f"127.0.0.1:{free_port()}", listen_address="127.0.0.1", acme_webroot=webroot)
    (workdir / "site.conf").write_text(site_text(site))
    conf = workdir / "nginx.conf"
    # a master process as in production: a reload (SIGHUP) starts new workers with the new certificate
    conf.write_text(nginx_conf(workdir, f"    include {workdir}/site.conf;", master=True))
    argv = [nginx, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf)]
    with running(argv, http_port, [workdir / "error.log"], workdir):
        _wait_port(https_port)
        yield SiteNginx(conf, workdir, https_port, http_port)


def _wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing listens on 127.0.0.1:{port}")
        time.sleep(0.05)


def served_leaf_der(port: int, sni: str) -> bytes:
    """The leaf certificate a TLS server on 127.0.0.1:`port` sends for `sni` (unverified, DER)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, \
            ctx.wrap_socket(raw, server_hostname=sni) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def pmwizard(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run([sys.executable, "-m", "pmwizard", *args], capture_output=True, text=True,
                          timeout=timeout, check=False)
