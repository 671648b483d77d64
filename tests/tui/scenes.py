"""The wizard's main screens as scenes from a seeded demo (fixed member keys and P2P ports, this node's keys,
card and genesis times, the sandbox path): the snapshot tests compare them with their baselines, and
scripts/screenshots.py writes them to screenshots/, byte for byte the same on every run."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.widgets import Input

from pmwizard.core import cards, keys
from pmwizard.core.genesis import new_genesis
from pmwizard.demo import Sandbox
from tests.tui.conftest import press, settle

ROOT = Path("/tmp/pmwizard-snapshots")
# fixed (they show on the screens) and below Linux's ephemeral range (32768-60999): a port the kernel handed to
# some other test's or program's connection cannot be taken from under the demo peers
P2P_BASE = 29701
GENESIS_TIME = "2026-11-23T09:00:00Z"
HOST = "node.demo.test"


@contextmanager
def seeded_sandbox() -> Iterator[Sandbox]:
    shutil.rmtree(ROOT, ignore_errors=True)
    with Sandbox(ROOT, seed="pmwizard-snapshots", p2p_base=P2P_BASE) as sb:
        yield sb
    shutil.rmtree(ROOT, ignore_errors=True)


def own_keys(sb: Sandbox) -> dict:
    keys.init_plan(sb.context.home, seeds=sb.own_seeds()).apply()
    return {}


def network_files(sb: Sandbox) -> dict:
    """This node's keys and the genesis a coordinator would send (this node and the three demo members)."""
    own_keys(sb)
    own = cards.export_card(sb.context.home, HOST, "Demo Node", created=sb.context.fixed_time)
    members = [c.card for c in cards.read_cards(sb.cards_dir)]
    genesis = sb.root / "genesis.json"
    genesis.write_text(new_genesis([own, *members], chain_id="demo-chain", genesis_time=GENESIS_TIME))
    return {"hostname": HOST, "name": "Demo Node", "moniker": "demo-node", "genesis_file": str(genesis),
            "cards_path": str(sb.cards_dir)}


async def ready(pilot) -> None:
    """Settled, and no blinking cursor in any box (a blink would make the picture depend on timing)."""
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def member(index: int, then: Callable[..., Awaitable[None]] | None = None):
    """Open the member journey at step `index` with the state the setup gave, then do `then`."""

    async def run(pilot, state: dict) -> None:
        await pilot.press("enter")
        await settle(pilot)
        for key, value in state.items():
            setattr(pilot.app.screen.state, key, value)
        pilot.app.screen.show_step(index)
        await settle(pilot)
        if then is not None:
            await then(pilot)
        await ready(pilot)

    return run


def coordinator(index: int):
    async def run(pilot, state: dict) -> None:
        await pilot.press("down", "enter")
        await settle(pilot)
        await press(pilot, "#add-path")
        pilot.app.screen.state.genesis_time = GENESIS_TIME
        pilot.app.screen.state.chain_id = "demo-chain"
        pilot.app.screen.state.consortium_domain = "consortium.demo.test"
        pilot.app.screen.show_step(index)
        await ready(pilot)

    return run


async def _check_dns(pilot) -> None:
    await press(pilot, "#check")


async def _help(pilot) -> None:
    await pilot.press("f1")


async def _preview_scrolled_to_config(pilot) -> None:
    await press(pilot, "#preview")
    pilot.app.screen.query_one("#accept-1").scroll_visible(top=True, animate=False)


async def _write_all_then_summary(pilot) -> None:
    await press(pilot, "#preview")
    await press(pilot, "#write")
    await press(pilot, "#cancel")
    pilot.app.screen.show_step(9)


async def _troubleshoot(pilot, state: dict) -> None:
    await pilot.press("down", "down", "enter")
    await ready(pilot)


async def _home(pilot, state: dict) -> None:
    await ready(pilot)


@dataclass(frozen=True)
class Scene:
    name: str
    setup: Callable[[Sandbox], dict]
    run: Callable[..., Awaitable[None]]


SCENES = [
    Scene("01-home", lambda sb: {}, _home),
    Scene("02-member-keys", own_keys, member(0)),
    Scene("03-member-software", own_keys, member(1)),
    Scene("04-member-domain", lambda sb: {**own_keys(sb), "hostname": HOST}, member(2, _check_dns)),
    Scene("05-help", lambda sb: {**own_keys(sb), "hostname": HOST}, member(2, _help)),
    Scene("06-member-card", network_files, member(4)),
    Scene("07-member-join", network_files, member(5)),
    Scene("08-member-configure-diff", network_files, member(6, _preview_scrolled_to_config)),
    Scene("09-member-start", network_files, member(7)),
    Scene("10-member-summary", network_files, member(6, _write_all_then_summary)),
    Scene("11-coordinator-import", lambda sb: {}, coordinator(0)),
    Scene("12-coordinator-review", lambda sb: {}, coordinator(1)),
    Scene("13-coordinator-settings", lambda sb: {}, coordinator(2)),
    Scene("14-troubleshoot", lambda sb: {}, _troubleshoot),
]


async def _validators_set(pilot, state: dict) -> None:
    pilot.app.open_journey("validators")
    await settle(pilot)
    await press(pilot, "#show")
    pilot.app.screen.query_one("#set").scroll_visible(animate=False)
    await ready(pilot)


async def _validators_vote(pilot, state: dict) -> None:
    pilot.app.open_journey("validators")
    await settle(pilot)
    await press(pilot, "#show")
    await press(pilot, "#propose")
    await press(pilot, "#vote")
    pilot.app.screen.query_one("#tally").scroll_visible(animate=False)
    await ready(pilot)


# Screens shown in the README but not held to a baseline: the demo network they read answers on a free
# loopback port and makes election ids from the moment it runs, so these pictures differ run to run.
SCREENSHOT_ONLY = [
    Scene("15-validators-set", lambda sb: {}, _validators_set),
    Scene("16-validators-vote", lambda sb: {}, _validators_vote),
]
