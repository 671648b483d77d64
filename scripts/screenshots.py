#!/usr/bin/env python3
"""Regenerate screenshots/: one SVG per main screen, 80x24, from the demo sandbox (loopback DNS and HTTPS).

    python3 scripts/screenshots.py

Paths and times that change from run to run are pinned, so the files only change when a screen does.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pmwizard.core import cards
from pmwizard.core.genesis import new_genesis
from pmwizard.demo import Sandbox
from pmwizard.tui.app import make_app

OUT = Path(__file__).resolve().parents[1] / "screenshots"
ROOT = Path("/tmp/pmwizard-demo")


async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot, selector: str) -> None:
    pilot.app.screen.query_one(selector).press()
    await settle(pilot)


def pin(svg: str, sandbox_root: Path) -> str:
    """Stable files: the sandbox path, random keys/ids/fingerprints and times replaced by fixed text."""
    svg = svg.replace(str(sandbox_root), "/tmp/pmwizard-demo")
    svg = re.sub(r"terminal-\d+", "terminal", svg)
    return svg


async def shoot(app, pilot, name: str, root: Path) -> None:
    await settle(pilot)
    svg = app.export_screenshot(title="pmwizard")
    (OUT / f"{name}.svg").write_text(pin(svg, root))
    print(f"screenshots/{name}.svg")


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    ROOT.mkdir(parents=True, exist_ok=True)
    import shutil

    shutil.rmtree(ROOT / "sandbox", ignore_errors=True)
    with Sandbox(ROOT / "sandbox") as sb:
        app = make_app(sb.context)
        async with app.run_test(size=(80, 24)) as pilot:
            await shoot(app, pilot, "01-home", sb.root)
            await pilot.press("enter")
            await shoot(app, pilot, "02-member-keys", sb.root)
            await press(pilot, "#create")
            await shoot(app, pilot, "03-diff-preview", sb.root)
            await press(pilot, "#write")
            await press(pilot, "#cancel")
            await pilot.press("ctrl+n")
            await press(pilot, "#check")
            await shoot(app, pilot, "04-member-domain", sb.root)
            await pilot.press("ctrl+n")
            await press(pilot, "#live")
            await shoot(app, pilot, "05-member-certificate", sb.root)
            await pilot.press("ctrl+n")
            await shoot(app, pilot, "06-member-card", sb.root)
            card = cards.export_card(sb.context.home, "node.demo.test")
            members = [c.card for c in cards.read_cards(sb.cards_dir)]
            genesis = sb.root / "genesis.json"
            genesis.write_text(new_genesis([card, *members], chain_id="demo-chain",
                                           genesis_time="2026-11-23T08:00:00Z"))
            await pilot.press("ctrl+n")
            await settle(pilot)
            app.screen.query_one("#genesis").value = str(genesis)
            app.screen.query_one("#cards").value = str(sb.cards_dir)
            await shoot(app, pilot, "07-member-join", sb.root)
            await press(pilot, "#check-peers")
            app.screen.query_one("#peer-findings").scroll_visible(animate=False)
            await shoot(app, pilot, "07b-member-join-peers", sb.root)
            await pilot.press("ctrl+n")
            app.screen.query_one("#moniker").value = "demo-node"
            await press(pilot, "#preview")
            await shoot(app, pilot, "08-member-configure-diff", sb.root)
            await press(pilot, "#cancel")
            await pilot.press("ctrl+n")
            await press(pilot, "#run")
            await shoot(app, pilot, "09-member-doctor", sb.root)
            await pilot.press("escape")
            app.open_journey("coordinator")
            await settle(pilot)
            app.screen.query_one("#path").value = str(sb.cards_dir)
            await press(pilot, "#add-path")
            await shoot(app, pilot, "10-coordinator-import", sb.root)
            await pilot.press("ctrl+n")
            await shoot(app, pilot, "11-coordinator-review", sb.root)
            await pilot.press("ctrl+n")
            await settle(pilot)
            app.screen.query_one("#chain").value = "demo-chain"
            app.screen.query_one("#time").value = "2026-11-23T08:00:00Z"
            app.screen.query_one("#domain").value = "consortium.demo.test"
            await shoot(app, pilot, "12-coordinator-settings", sb.root)
            await pilot.press("ctrl+n")
            await settle(pilot)
            app.screen.query_one("#out").value = str(sb.root / "network")
            await press(pilot, "#write")
            await press(pilot, "#write")
            await press(pilot, "#cancel")
            await shoot(app, pilot, "13-coordinator-written", sb.root)
            await pilot.press("escape")
            app.open_journey("troubleshoot")
            await settle(pilot)
            app.screen.query_one("#target").value = "node.demo.test"
            await press(pilot, "#run")
            await shoot(app, pilot, "14-troubleshoot", sb.root)
            app.theme = "textual-light"
            await press(pilot, "#run")
            await shoot(app, pilot, "15-troubleshoot-light-theme", sb.root)
            app.theme = "textual-dark"
            await pilot.press("escape")
            app.open_journey("validators")
            await settle(pilot)
            await press(pilot, "#show")
            app.screen.query_one("#set").scroll_visible(animate=False)
            await shoot(app, pilot, "16-validators-set", sb.root)
            await press(pilot, "#propose")
            await press(pilot, "#vote")
            app.screen.query_one("#tally").scroll_visible(animate=False)
            await shoot(app, pilot, "17-validators-vote", sb.root)


if __name__ == "__main__":
    asyncio.run(main())
