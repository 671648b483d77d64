"""Snapshot tests (pytest-textual-snapshot): every main screen of the wizard at 80x24 from a seeded demo
(fixed keys, member ports, card times, genesis time, sandbox path), so a layout regression fails here and
the screenshots are byte-reproducible. Update the baselines with `pytest tests/tui/test_snapshots.py
--snapshot-update` and look at them (tests/tui/__snapshots__/)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from pmwizard.core import cards, keys
from pmwizard.core.genesis import new_genesis
from pmwizard.demo import Sandbox
from pmwizard.tui.app import make_app
from tests.tui.conftest import press, settle

ROOT = Path("/tmp/pmwizard-snapshots")
P2P_BASE = 46701
GENESIS_TIME = "2026-11-23T09:00:00Z"


@pytest.fixture()
def seeded() -> Iterator[Sandbox]:
    shutil.rmtree(ROOT, ignore_errors=True)
    with Sandbox(ROOT, seed="pmwizard-snapshots", p2p_base=P2P_BASE) as sb:
        yield sb
    shutil.rmtree(ROOT, ignore_errors=True)


def own_keys(sb: Sandbox) -> None:
    keys.init_plan(sb.context.home, seeds=sb.own_seeds()).apply()


def network_files(sb: Sandbox) -> Path:
    """The genesis a coordinator would send: this node and the three demo members, at a fixed time."""
    own = cards.export_card(sb.context.home, "node.demo.test", "Demo Node", created=sb.context.fixed_time)
    members = [c.card for c in cards.read_cards(sb.cards_dir)]
    genesis = sb.root / "genesis.json"
    genesis.write_text(new_genesis([own, *members], chain_id="demo-chain", genesis_time=GENESIS_TIME))
    return genesis


async def ready(pilot) -> None:
    """Settled, and no blinking cursor in any box (a blink would make the screenshot depend on timing)."""
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


async def member_step(pilot, index: int, **state) -> None:
    await pilot.press("enter")
    await settle(pilot)
    for key, value in state.items():
        setattr(pilot.app.screen.state, key, value)
    pilot.app.screen.show_step(index)
    await ready(pilot)


def test_home(snap_compare, seeded) -> None:
    assert snap_compare(make_app(seeded.context), run_before=ready)


def test_member_keys(snap_compare, seeded) -> None:
    own_keys(seeded)
    assert snap_compare(make_app(seeded.context), run_before=lambda p: member_step(p, 0))


def test_member_software(snap_compare, seeded) -> None:
    own_keys(seeded)
    assert snap_compare(make_app(seeded.context), run_before=lambda p: member_step(p, 1))


def test_member_domain_checked(snap_compare, seeded) -> None:
    own_keys(seeded)

    async def run(pilot) -> None:
        await member_step(pilot, 2, hostname="node.demo.test")
        await press(pilot, "#check")
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)


def test_help_screen(snap_compare, seeded) -> None:
    own_keys(seeded)

    async def run(pilot) -> None:
        await member_step(pilot, 2, hostname="node.demo.test")
        await pilot.press("f1")
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)


def test_member_card(snap_compare, seeded) -> None:
    own_keys(seeded)
    assert snap_compare(make_app(seeded.context),
                        run_before=lambda p: member_step(p, 4, hostname="node.demo.test", name="Demo Node"))


def test_member_join(snap_compare, seeded) -> None:
    own_keys(seeded)
    genesis = network_files(seeded)
    assert snap_compare(make_app(seeded.context), run_before=lambda p: member_step(
        p, 5, hostname="node.demo.test", genesis_file=str(genesis), cards_path=str(seeded.cards_dir)))


def test_member_configure_diff(snap_compare, seeded) -> None:
    """The preview of every file: genesis.json, config.toml, then the Monit, Tarantool, NGINX and
    Planetmint files."""
    own_keys(seeded)
    genesis = network_files(seeded)

    async def run(pilot) -> None:
        await member_step(pilot, 6, hostname="node.demo.test", genesis_file=str(genesis),
                          cards_path=str(seeded.cards_dir), moniker="demo-node")
        await press(pilot, "#preview")
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)


def test_member_start(snap_compare, seeded) -> None:
    own_keys(seeded)
    assert snap_compare(make_app(seeded.context), run_before=lambda p: member_step(p, 7, hostname="node.demo.test"))


def test_member_summary(snap_compare, seeded) -> None:
    own_keys(seeded)
    assert snap_compare(make_app(seeded.context), run_before=lambda p: member_step(p, 9, hostname="node.demo.test"))


def test_coordinator_import(snap_compare, seeded) -> None:
    async def run(pilot) -> None:
        await pilot.press("down", "enter")
        await settle(pilot)
        await press(pilot, "#add-path")
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)


def test_coordinator_settings(snap_compare, seeded) -> None:
    async def run(pilot) -> None:
        await pilot.press("down", "enter")
        await settle(pilot)
        await press(pilot, "#add-path")
        pilot.app.screen.state.genesis_time = GENESIS_TIME
        pilot.app.screen.state.consortium_domain = "consortium.demo.test"
        pilot.app.screen.show_step(2)
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)


def test_troubleshoot(snap_compare, seeded) -> None:
    async def run(pilot) -> None:
        await pilot.press("down", "down", "enter")
        await ready(pilot)

    assert snap_compare(make_app(seeded.context), run_before=run)
