"""From nothing to running (issue 11.1) with Pilot: the home `cometbft init` made is found and chosen on
screen, the start step runs exactly the commands it shows, and it watches real Tendermint nodes come up
(peers, new blocks) through their RPC."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import OptionList

from pmwizard.core import keys
from pmwizard.tui.app import make_app
from pmwizard.tui.context import WizardContext
from pmwizard.tui.steps import member_start
from tests.support.ports import free_port
from tests.support.require import tendermint_binary
from tests.support.tmnet import Node, tendermint_nodes, wait_until
from tests.tui.conftest import press, screen_text, settle


def cometbft_init(home_dir: Path, *sub: str) -> None:
    env = dict(os.environ, HOME=str(home_dir))
    env.pop("CMTHOME", None)
    env.pop("TMHOME", None)
    subprocess.run([tendermint_binary(), "init", *sub], env=env, check=True, capture_output=True, timeout=60)


async def test_the_home_cometbft_init_made_is_found_and_chosen(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("CMTHOME", raising=False)
    monkeypatch.delenv("TMHOME", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cometbft_init(tmp_path)
    made = keys.load_identity(tmp_path / ".cometbft").node_id
    ctx = WizardContext.for_home(None)
    assert ctx.home == tmp_path / ".cometbft"
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert f"{tmp_path / '.cometbft'}  (~/.cometbft)" in text
        assert f"node_id {made}" in text and "No usable keys" not in text
        assert app.screen.query_one("#create").disabled, "keys that exist are not offered again"

    # both default homes: the wizard still opens, lists both, and the operator picks one
    legacy = tmp_path / ".tendermint"
    keys.init_plan(legacy).apply()
    ctx = WizardContext.for_home(None)
    assert "choose on screen" in ctx.home_reason
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        homes = app.screen.query_one("#homes", OptionList)
        ids = [homes.get_option_at_index(i).id for i in range(homes.option_count)]
        assert str(legacy) in ids and str(tmp_path / ".cometbft") in ids
        homes.focus()
        homes.highlighted = ids.index(str(legacy))
        await pilot.press("enter")
        await settle(pilot)
        assert ctx.home == legacy
        assert f"node_id {keys.load_identity(legacy).node_id}" in screen_text(app)
        await pilot.press("ctrl+n")  # the choice is kept with the progress
        await settle(pilot)
    assert f'"home": "{legacy}"' in (tmp_path / "state/pmwizard/progress/member.json").read_text()


async def test_start_runs_the_commands_it_shows(sandbox, monkeypatch) -> None:
    """In the demo Monit is a stand-in that records its arguments: Start runs exactly the commands shown,
    then watches, and says why the node is not up when its RPC never answers."""
    monkeypatch.setattr(member_start, "WATCH_SECONDS", 1.5)
    ctx = sandbox.context
    keys.init_plan(ctx.home).apply()
    (ctx.services_folder).mkdir(parents=True, exist_ok=True)
    (ctx.services_folder / "monitrc").write_text("# written by the configure step\n")
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        app.screen.show_step(7)
        await settle(pilot)
        rc = ctx.services_folder / "monitrc"
        assert f"{ctx.demo_programs['monit']} -c {rc} -d 1" in screen_text(app)
        await press(pilot, "#start")
        await settle(pilot)
        calls = (Path(ctx.demo_programs["monit"]).parent.parent / "calls.log").read_text().splitlines()
        assert calls == [f"monit -c {rc} -d 1", f"monit -c {rc} summary"]
        assert "not up after 2 s: the RPC does not answer" in screen_text(app)


@pytest.mark.e2e
async def test_start_step_watches_real_nodes_come_up(tmp_path: Path) -> None:
    """Two real Tendermint 0.34 nodes (kvstore) configured by pmwizard's CLI; the wizard's home is node 0:
    Watch reports the RPC, one peer and new blocks, and that Planetmint's API is not there."""
    p2p, rpc = [free_port(), free_port()], [free_port(), free_port()]
    nodes, cards = [], []

    def pmw(*argv: str) -> None:
        r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                           check=False)
        assert r.returncode == 0, r.stdout + r.stderr

    for i in range(2):
        home = tmp_path / f"node{i}"
        pmw("identity", "init", "--home", str(home))
        card = tmp_path / f"card{i}.json"
        pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(p2p[i]), "--name", f"node{i}",
            "--home", str(home), "-o", str(card))
        cards.append(str(card))
        nodes.append(Node(home, rpc[i], tmp_path / f"node{i}.log"))
    pmw("genesis", "new", *cards, "--chain-id", "watch-chain", "-o", str(tmp_path / "genesis.json"))
    for i, n in enumerate(nodes):
        pmw("configure", "--genesis", str(tmp_path / "genesis.json"), "--peers", *cards, "--moniker", f"node{i}",
            "--rpc-laddr", f"tcp://127.0.0.1:{rpc[i]}", "--home", str(n.home), "--yes")
    ctx = WizardContext(home=nodes[0].home, state_dir=tmp_path / "state", timeout=2.0)
    with tendermint_nodes(nodes) as running:
        wait_until(lambda: all(n.peers() == 1 for n in running), 60, "peers", running)
        app = make_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("enter")
            await settle(pilot)
            app.screen.show_step(7)
            await settle(pilot)
            await press(pilot, "#watch")
            await settle(pilot)
            text = screen_text(app)
            assert "the node is up: 1 peer(s), new blocks" in text, text
            assert "chain watch-chain" in text and "Planetmint's API is not answering yet" in text
