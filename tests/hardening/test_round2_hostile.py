"""Issue 12 item 6: hostile servers on real loopback sockets. A zone with 1,500 NS records (a real Knot), an
HTTP reply of 170,000 one-byte chunks or a negative chunk size, a JSON nesting bomb from the RPC or API:
each check ends within its timeout, with bounded memory, and says what it got."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pmwizard.checks.dnscheck import MAX_NS_ADDRESSES, check_dns
from pmwizard.checks.finding import Status
from pmwizard.checks.reach import check_api, check_rpc
from tests.support.dnsserver import knot_server
from tests.support.faults import http_text_server

pytestmark = pytest.mark.servers

NS_COUNT = 1500


def test_a_zone_with_1500_name_servers_is_asked_a_bounded_few(tmp_path: Path) -> None:
    body = "".join(f"@ 300 IN NS ns{i}.wide.test.\nns{i} 300 IN A 127.0.0.1\n" for i in range(NS_COUNT))
    body += "www 300 IN A 192.0.2.10\n"
    with knot_server(tmp_path / "knot", {"wide.test": body}) as knot:
        started = time.monotonic()
        findings = asyncio.run(check_dns("www.wide.test", nameservers=[knot.nameserver], timeout=3.0))
        took = time.monotonic() - started
    auth = [f for f in findings if f.check == "dns.authority"]
    assert 0 < len(auth) <= MAX_NS_ADDRESSES, len(auth)
    assert all(f.evidence.get("ns_total") == NS_COUNT for f in auth)
    assert all(f.status == Status.PASS for f in auth), [f.message for f in auth]
    assert took < 20


CHILD = textwrap.dedent("""
    import asyncio, json, sys, time, tracemalloc
    from pmwizard.checks.reach import check_rpc
    tracemalloc.start()
    started = time.monotonic()
    f = asyncio.run(check_rpc(sys.argv[1], timeout=float(sys.argv[2])))
    print(json.dumps({"took": time.monotonic() - started, "peak": tracemalloc.get_traced_memory()[1],
                      "status": str(f.status), "code": f.code, "message": f.message[:300]}))
""")


def _rpc_in_child(reply: bytes, timeout: float) -> dict:
    """check_rpc against a server sending `reply`, in a child process that is killed if it overruns."""
    with http_text_server(reply) as port:
        done = subprocess.run([sys.executable, "-c", CHILD, f"http://127.0.0.1:{port}", str(timeout)],
                              capture_output=True, text=True, timeout=timeout + 25, env=dict(os.environ), check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_170000_one_byte_chunks_end_within_the_timeout_with_bounded_memory() -> None:
    reply = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
             + b"1\r\n \r\n" * 170_000 + b"0\r\n\r\n")
    out = _rpc_in_child(reply, timeout=5.0)
    assert out["took"] < 5.0 + 2.0, out
    assert out["peak"] < 48 * 1024 * 1024, out
    # blanks are not a /status reply; on a busy machine the deadline may come first: either way, it ended
    assert out["status"] in ("fail", "error") and out["code"] == "unreachable"


def test_a_negative_chunk_size_is_a_bad_reply_at_once() -> None:
    reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"
    out = _rpc_in_child(reply, timeout=5.0)
    assert out["took"] < 5.0 and out["code"] == "unreachable"
    assert "not a usable HTTP reply" in out["message"]


def _json_reply(body: bytes) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
            + b"\r\n\r\n" + body)


@pytest.mark.parametrize("bomb", [b"[" * 200_000, b"{\"result\":" * 100_000], ids=["arrays", "objects"])
def test_a_json_nesting_bomb_is_not_a_status_reply(bomb: bytes) -> None:
    with http_text_server(_json_reply(bomb)) as port:
        rpc = asyncio.run(check_rpc(f"http://127.0.0.1:{port}", timeout=5.0))
    assert rpc.status == Status.FAIL and rpc.code == "unreachable"
    assert "not Tendermint's /status reply" in rpc.message and "nested too deeply" in rpc.message


def test_a_json_nesting_bomb_is_not_the_api() -> None:
    with http_text_server(_json_reply(b"[" * 200_000)) as port:
        api = asyncio.run(check_api("127.0.0.1", https_port=1, http_port=port, timeout=5.0))
    assert api.status == Status.FAIL and api.code == "unexpected"
    assert "not Planetmint's API" in api.message and "nested too deeply" in api.message
