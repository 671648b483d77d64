"""Shared servers for the check tests: one Knot for the whole session, with zones covering every DNS code."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import dns.rcode
import pytest

from tests.support.dnsserver import DelayedDnsServer, KnotServer, knot_server, zone_text
from tests.support.faults import rcode_dns_server
from tests.support.ports import free_port
from tests.support.require import require_binary, tendermint_binary

ZONES = {
    "good.test": zone_text([
        ("www", "A", "8.8.8.8"), ("www", "AAAA", "2001:4860:4860::8888"),
        ("v4only", "A", "8.8.4.4"),
        ("priv", "A", "10.0.0.5"), ("priv", "AAAA", "fd00::5"),
        ("txtonly", "TXT", '"no address here"'),
        ("alias", "CNAME", "www"),
        ("dangle", "CNAME", "nothere.good.test."),
        ("loop1", "CNAME", "loop2"), ("loop2", "CNAME", "loop1"),
        ("local", "A", "127.0.0.1"),
        ("tls", "A", "127.0.0.1"),
        ("tlsalias", "CNAME", "tls"),
    ]),
    "caa.test": zone_text([("@", "CAA", '0 issue "letsencrypt.org"'), ("@", "CAA", '0 iodef "mailto:x@caa.test"'),
                           ("host", "A", "8.8.8.8")]),
    # The zone's only name server is 127.0.0.3, where a server REFUSES: a lame delegation.
    "lame.test": zone_text([("@", "NS", "ns.lame.test."), ("ns", "A", "127.0.0.3"), ("www", "A", "8.8.8.8")]),
    # Its name server 127.0.0.2 serves an older version of the zone: the resolver and authority disagree.
    "split.test": zone_text([("@", "NS", "ns.split.test."), ("ns", "A", "127.0.0.2"), ("www", "A", "8.8.8.8")]),
    # doctor: three members on loopback, the consortium's CNAME plan (node3's points at the wrong member)
    "net.test": zone_text([("m1", "A", "127.0.0.1"), ("m2", "A", "127.0.0.1"), ("m3", "A", "127.0.0.1")]),
    "consortium.test": zone_text([("@", "A", "127.0.0.1"), ("node1", "CNAME", "m1.net.test."),
                                  ("node2", "CNAME", "m2.net.test."), ("node3", "CNAME", "m1.net.test.")]),
}


@pytest.fixture(scope="session")
def knot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnotServer]:
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(knot_server(tmp_path_factory.mktemp("knot"), ZONES))
        stack.enter_context(rcode_dns_server(dns.rcode.REFUSED, host="127.0.0.3", port=server.port))
        stack.enter_context(DelayedDnsServer({("www.split.test", "A"): ["9.9.9.9"]}, delay=0,
                                             host="127.0.0.2", port=server.port))
        yield server


@pytest.fixture(autouse=True)
def _show_knot_log_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed and "knot" in request.fixturenames:
        print("---- knot.log ----\n" + request.getfixturevalue("knot").log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@pytest.fixture(scope="session")
def tendermint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    tm = tendermint_binary()
    home = tmp_path_factory.mktemp("tm")
    subprocess.run([tm, "init", "--home", str(home)], check=True, capture_output=True)
    node_id = subprocess.run([tm, "show_node_id", "--home", str(home)], check=True, capture_output=True,
                             text=True).stdout.strip()
    chain_id = json.loads((home / "config" / "genesis.json").read_text())["chain_id"]
    rpc, p2p = free_port(), free_port()
    log = open(home / "node.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([tm, "node", "--home", str(home), "--proxy_app=kvstore",
                             f"--rpc.laddr=tcp://127.0.0.1:{rpc}", f"--p2p.laddr=tcp://127.0.0.1:{p2p}"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{rpc}/status", timeout=1).read()
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("tendermint did not serve /status:\n" + (home / "node.log").read_text())
            time.sleep(0.1)
        yield {"rpc": f"http://127.0.0.1:{rpc}", "p2p": p2p, "node_id": node_id, "chain_id": chain_id, "home": home}
    finally:
        stop_process(proc)
        log.close()


@pytest.fixture(scope="session")
def tarantool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    binary = require_binary("tarantool")
    work = tmp_path_factory.mktemp("tarantool")
    port = free_port()
    (work / "init.lua").write_text(
        f"box.cfg{{listen = '127.0.0.1:{port}', work_dir = '{work}', log = '{work}/t.log'}}\n")
    proc = subprocess.Popen([binary, str(work / "init.lua")], cwd=work, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.3):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                log = work / "t.log"
                raise RuntimeError("tarantool did not listen:\n" + (log.read_text() if log.exists() else ""))
            time.sleep(0.05)
        yield port
    finally:
        stop_process(proc)
