"""A real Planetmint node from pmwizard's files: Tarantool (Debian) running the instance pmwizard wrote
(Planetmint's init.lua), the Planetmint config pmwizard wrote, `planetmint start` from its own venv, and
Tendermint with pmwizard's genesis and config.toml. The HTTP API answers, `pmwizard doctor` passes its
api.planetmint, rpc.status and tarantool checks, and the NGINX site pmwizard renders serves the HTTPS root
in front of it with a test certificate."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmwizard.render.nginx import NginxSite, site_text
from tests.services.procs import running
from tests.services.test_nginx import HOST, NamedHTTPS, wrap
from tests.support.pki import TestPKI
from tests.support.pmnet import tarantool_greets
from tests.support.ports import free_port
from tests.support.require import planetmint_venv, require_binary
from tests.support.tmnet import Node, tendermint_nodes, wait_until

pytestmark = pytest.mark.e2e
ABCI_PORT = 26658  # Planetmint's ABCI server listens here; it has no setting to move it


def pmw(*argv: str) -> str:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ), check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"
    return r.stdout


@contextlib.contextmanager
def tarantool_daemon(instance: Path, pid_file: Path, port: int, log: Path) -> Iterator[None]:
    """The instance pmwizard wrote runs in the background (as in production); stop it by its pid file."""
    tarantool = require_binary("tarantool")
    subprocess.run([tarantool, str(instance)], check=True, timeout=30)
    try:
        wait_until(lambda: tarantool_greets(port), 30, f"tarantool answers on {port}")
        yield
    except BaseException:
        print(log.read_text(errors="replace") if log.exists() else "no tarantool log")
        raise
    finally:
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("planetmint")
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    ports = {k: free_port() for k in ("tarantool", "api", "ws", "rpc", "p2p")}
    home = base / "tendermint"
    pmw("identity", "init", "--home", str(home))
    card = base / "card.json"
    pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(ports["p2p"]), "--home", str(home),
        "-o", str(card))
    genesis = base / "genesis.json"
    pmw("genesis", "new", str(card), "-o", str(genesis))
    pmw("configure", "--genesis", str(genesis), "--peers", str(card), "--moniker", "planetmint-e2e",
        "--rpc-laddr", f"tcp://127.0.0.1:{ports['rpc']}", "--home", str(home), "--yes")
    svc, config = base / "svc", base / "planetmint.json"
    pmw("services", "tarantool", "--output", str(svc), "--tarantool-port", str(ports["tarantool"]),
        "--planetmint-bin", planetmint, "--yes")
    pmw("services", "planetmint", "--hostname", HOST, "--output", str(config), "--tarantool-port",
        str(ports["tarantool"]), "--api-port", str(ports["api"]), "--ws-port", str(ports["ws"]),
        "--rpc-port", str(ports["rpc"]), "--yes")
    with tarantool_daemon(svc / "tarantool-instance.lua", svc / "tarantool.pid", ports["tarantool"],
                          svc / "logs" / "tarantool.log"):
        subprocess.run([planetmint, "-c", str(config), "init"], check=True, timeout=60, cwd=base,
                       capture_output=True)
        # wait on the API port: a probe of the ABCI port would look like Tendermint leaving, and Planetmint exits
        with running([planetmint, "-c", str(config), "start"], ports["api"], [base / "planetmint.log"], base,
                     timeout=60):
            tm = Node(home, ports["rpc"], base / "tendermint.log")
            with tendermint_nodes([tm], proxy_app=f"tcp://127.0.0.1:{ABCI_PORT}"):
                wait_until(lambda: tm.height() >= 1, 60, "the first block", [tm])
                yield {"base": base, "ports": ports, "tm": tm}


def test_the_http_api_answers_as_planetmint(node) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{node['ports']['api']}/", timeout=10) as r:
        doc = json.loads(r.read())
    assert doc["software"] == "Planetmint"
    streams = doc["api"]["v1"]["streams"]
    assert streams == f"wss://{HOST}:443/api/v1/streams/valid_transactions", "advertised through NGINX"


def test_doctor_passes_api_rpc_and_tarantool(node) -> None:
    p = node["ports"]
    out = subprocess.run([sys.executable, "-m", "pmwizard", "doctor", "--json", "--timeout", "3",
                          "--api-port", str(p["api"]), "--https-port", str(free_port()), "--tarantool-port",
                          str(p["tarantool"]), "--p2p-port", str(p["p2p"]), "--rpc",
                          f"local=http://127.0.0.1:{p['rpc']}"], capture_output=True, text=True, timeout=60,
                         check=False)
    codes = {f["check"]: f["code"] for f in json.loads(out.stdout)["findings"]}
    assert codes["api.planetmint"] == "ok" and codes["rpc.status"] == "ok" and codes["tarantool"] == "ok", codes
    assert codes["net.p2p"] == "open"


def test_nginx_site_serves_the_https_root_in_front(node, tmp_path: Path) -> None:
    nginx = require_binary("nginx")
    pki = TestPKI("planetmint-e2e")
    cert, key = pki.leaf([HOST]).write(tmp_path / "tls", "site")
    site = NginxSite(hostname=HOST, cert=cert, key=key, https_port=free_port(), http_port=free_port(),
                     api_upstream=f"127.0.0.1:{node['ports']['api']}", ws_upstream=f"127.0.0.1:{node['ports']['ws']}",
                     listen_address="127.0.0.1")
    (tmp_path / "site.conf").write_text(site_text(site))
    conf = wrap(tmp_path, tmp_path / "site.conf")
    argv = [nginx, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)]
    with running(argv, site.https_port, [tmp_path / "error.log"], tmp_path):
        conn = NamedHTTPS(HOST, site.https_port,
                          ssl.create_default_context(cafile=str(pki.write_root(tmp_path / "root.pem"))))
        deadline = time.monotonic() + 20
        while True:
            conn.request("GET", "/")
            resp = conn.getresponse()
            body = resp.read()
            if resp.status == 200 or time.monotonic() > deadline:
                break
        assert resp.status == 200 and json.loads(body)["software"] == "Planetmint", body[:200]
        conn.close()
