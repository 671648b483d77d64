"""Advice that matches the cause: a refused RPC on this machine is a stopped node (start it), not an RPC to
expose on 0.0.0.0."""

from __future__ import annotations

from pmwizard.checks.finding import Status
from pmwizard.checks.reach import check_rpc
from tests.support.faults import refused_port


async def test_a_stopped_local_node_is_told_to_start() -> None:
    with refused_port() as port:
        local = await check_rpc(f"http://127.0.0.1:{port}", timeout=2.0)
    assert (local.status, local.code) == (Status.FAIL, "unreachable")
    assert "the node is not running" in local.fix and "0.0.0.0" not in local.fix

