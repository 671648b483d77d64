"""Reachability against real programs: a Tendermint 0.34 node (RPC /status, P2P port), Tarantool 2.6
(greeting), a TLS server serving Planetmint's API root, and real-socket faults."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pmwizard.checks.finding import Status
from pmwizard.checks.reach import check_api, check_p2p, check_rpc, check_tarantool
from tests.support.faults import full_backlog, http_text_server, refused_port, silent_tcp
from tests.support.pki import TestPKI
from tests.support.tlsserver import tls_server

from .coverage import seen

pytestmark = pytest.mark.servers
PLANETMINT_ROOT = {"api": {"v1": {"docs": "https://docs.planetmint.io/", "transactions": "/api/v1/transactions/"}},
                   "docs": "https://docs.planetmint.io/", "software": "Planetmint", "version": "2.5.3"}


async def test_p2p_open_closed_timeout(tendermint) -> None:
    assert seen([await check_p2p("127.0.0.1", tendermint["p2p"], 2.0)])[0].code == "open"
    with refused_port() as port:
        closed = seen([await check_p2p("127.0.0.1", port, 2.0)])[0]
    assert (closed.status, closed.code) == (Status.FAIL, "closed") and "laddr" in closed.fix
    with full_backlog() as port:
        start = time.monotonic()
        slow = seen([await check_p2p("127.0.0.1", port, 1.0)])[0]
        took = time.monotonic() - start
    assert (slow.status, slow.code) == (Status.ERROR, "timeout") and took < 4.0


async def test_rpc_status_compares_node_id_and_chain_id(tendermint) -> None:
    ok = seen([await check_rpc(tendermint["rpc"], expect_node_id=tendermint["node_id"].upper(),
                               expect_chain_id=tendermint["chain_id"], timeout=3.0)])[0]
    assert (ok.status, ok.code, ok.evidence["node_id"]) == (Status.PASS, "ok", tendermint["node_id"])
    bad_id = seen([await check_rpc(tendermint["rpc"], expect_node_id="ab" * 20, timeout=3.0)])[0]
    assert (bad_id.status, bad_id.code) == (Status.FAIL, "node_id_mismatch") and "node_key.json" in bad_id.fix
    bad_chain = seen([await check_rpc(tendermint["rpc"], expect_chain_id="planetmint-other", timeout=3.0)])[0]
    assert (bad_chain.status, bad_chain.code) == (Status.FAIL, "chain_id_mismatch")
    assert tendermint["chain_id"] in bad_chain.message


async def test_rpc_unreachable_is_a_warning_when_guessed() -> None:
    with refused_port() as port:
        guessed = seen([await check_rpc(f"http://127.0.0.1:{port}", guessed=True, timeout=2.0)])[0]
        given = seen([await check_rpc(f"http://127.0.0.1:{port}", timeout=2.0)])[0]
    assert (guessed.status, guessed.code) == (Status.WARN, "unreachable")
    assert (given.status, given.code) == (Status.FAIL, "unreachable") and "--rpc" in given.fix
    with silent_tcp() as port:
        start = time.monotonic()
        hung = seen([await check_rpc(f"http://127.0.0.1:{port}", timeout=1.0)])[0]
        assert time.monotonic() - start < 4.0
    assert (hung.status, hung.code) == (Status.ERROR, "unreachable")


async def test_tarantool_greeting(tarantool) -> None:
    ok = seen([await check_tarantool("127.0.0.1", tarantool, 3.0)])[0]
    assert (ok.status, ok.code) == (Status.PASS, "ok") and ok.message.startswith("Tarantool 2.")
    with http_text_server(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as port:
        other = seen([await check_tarantool("127.0.0.1", port, 2.0)])[0]
    assert (other.status, other.code) == (Status.FAIL, "not_tarantool")
    with refused_port() as port:
        gone = seen([await check_tarantool("127.0.0.1", port, 2.0)])[0]
    assert (gone.status, gone.code) == (Status.FAIL, "unreachable") and "3303" in gone.fix


async def test_planetmint_api_root(tmp_path: Path) -> None:
    pki = TestPKI()
    cert, key = pki.leaf(["localhost"]).write(tmp_path, "api")
    with refused_port() as closed:
        with tls_server(cert, key, body=json.dumps(PLANETMINT_ROOT).encode()) as srv:
            ok = seen([await check_api("127.0.0.1", https_port=srv.port, http_port=closed, timeout=3.0)])[0]
        assert (ok.status, ok.code, ok.evidence["version"]) == (Status.PASS, "ok", "2.5.3")
        # No HTTPS; Planetmint itself on the HTTP port.
        body = json.dumps(PLANETMINT_ROOT).encode()
        reply = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        with http_text_server(reply) as http:
            direct = seen([await check_api("127.0.0.1", https_port=closed, http_port=http, timeout=3.0)])[0]
        assert direct.code == "ok" and direct.evidence["url"].startswith("http://")
        with tls_server(cert, key, body=b'{"hello": "nginx default"}') as srv:
            odd = seen([await check_api("127.0.0.1", https_port=srv.port, http_port=closed, timeout=3.0)])[0]
        assert (odd.status, odd.code) == (Status.FAIL, "unexpected") and "proxy_pass" in odd.fix
        gone = seen([await check_api("127.0.0.1", https_port=closed, http_port=closed, timeout=2.0)])[0]
    assert (gone.status, gone.code) == (Status.FAIL, "unreachable")
