"""Troubleshoot > Network (ctrl+n) against a real one-validator CometBFT node made from pmwizard's files: the
verdict, the validator row by member name, refreshes in place (by its timer and by F5), and a node that
stops shows up as unreachable on the next refresh."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest
import tomlkit

from pmwizard.tui.app import make_app
from pmwizard.tui.screens.network import NetworkScreen
from pmwizard.tui.screens.troubleshoot import TroubleshootScreen
from tests.support.ports import free_port
from tests.support.tmnet import Node, stop, tendermint_nodes, wait_until
from tests.tui.conftest import press, screen_text, settle, type_into

pytestmark = pytest.mark.e2e


def pmw(*argv: str) -> None:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"


async def test_the_network_view_updates_in_place(sandbox, tmp_path) -> None:
    home, card = tmp_path / "solo", tmp_path / "card.json"
    pmw("identity", "init", "--home", str(home))
    pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(free_port()), "--name", "Solo Member",
        "--home", str(home), "-o", str(card))
    pmw("genesis", "new", str(card), "-o", str(tmp_path / "genesis.json"))
    rpc = free_port()
    pmw("configure", "--genesis", str(tmp_path / "genesis.json"), "--peers", str(card), "--rpc-laddr",
        f"tcp://127.0.0.1:{rpc}", "--home", str(home), "--yes")
    path = home / "config" / "config.toml"
    doc = tomlkit.parse(path.read_text())
    doc["consensus"]["create_empty_blocks"] = True
    doc["consensus"]["timeout_commit"] = "1s"
    path.write_text(tomlkit.dumps(doc))
    node = Node(home, rpc, tmp_path / "solo.log")
    with tendermint_nodes([node]):
        wait_until(lambda: node.height() >= 2, 60, "first blocks", [node])
        app = make_app(sandbox.context)
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.press("down", "down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, TroubleshootScreen)
            await pilot.press("ctrl+n")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, NetworkScreen)
            await type_into(pilot, "#rpc", f"http://127.0.0.1:{rpc}")
            await type_into(pilot, "#cards", str(card))
            await press(pilot, "#watch")
            text = screen_text(app)
            assert "WARN: one more failure halts the chain: Solo Member must stay up" in text, text  # one validator
            table = screen.query_one("#validators")
            assert table.row_count == 1 and "Solo Member" in str(table.get_row_at(0)[0])
            assert str(table.get_row_at(0)[4]) == "yes" and str(table.get_row_at(0)[5]) == "ok ok"
            first, rounds = str(table.get_row_at(0)[2]), screen.rounds
            # the timer refreshes the same table in place
            deadline = time.monotonic() + 20
            while screen.rounds == rounds and time.monotonic() < deadline:  # noqa: ASYNC110 - a counter the screen's timer bumps, no event
                await asyncio.sleep(0.2)
            await settle(pilot)
            assert screen.rounds > rounds and screen.query_one("#validators") is table and table.row_count == 1
            assert first.endswith("/2") or str(table.get_row_at(0)[2]) != first or first == "10/10"
            # the node stops: F5 shows it at once
            stop(node)
            await pilot.press("f5")
            await settle(pilot)
            text = screen_text(app)
            assert f"ERROR: RPC http://127.0.0.1:{rpc}" in text and "network.node unreachable" in text, text
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, TroubleshootScreen)
