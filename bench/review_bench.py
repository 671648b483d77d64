#!/usr/bin/env python3
"""Benchmark (not a test): a key press in the coordinator's review table at N cards, next to a bare DataTable
of N rows updating one cell on a key press (the anchor: what Textual itself costs for the same visible change).

Each press is timed from pilot.press() until the app has handled it and refreshed (pilot.pause()); Space toggles
accept on the selected member, Apply renames it. Prints medians and worsts, and the ratio to the anchor.

    python bench/review_bench.py [--cards 1000] [--presses 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from pmwizard.core.cards import CardCheck, MemberCard
from pmwizard.tui.context import WizardContext
from pmwizard.tui.screens.coordinator import CoordinatorJourney


def checks(n: int) -> list[CardCheck]:
    out = []
    for i in range(n):
        card = MemberCard(f"member {i}", f"m{i}.bench.example", 26656, f"key{i}", f"{i:040x}")
        out.append(CardCheck(f"card{i}.json", True, True, (), (), card))
    return out


class Bare(App):
    """N rows; Space rewrites one cell of the cursor row."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def compose(self) -> ComposeResult:
        yield DataTable(id="t", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("use", "name", "host:port", "node id", "card", "power"):
            table.add_column(label, key=label)
        for i in range(self.n):
            table.add_row("yes", f"member {i}", f"m{i}.bench.example:26656", f"{i:08x}", "signed", "10", key=str(i))
        table.focus()

    def key_space(self) -> None:
        table = self.query_one(DataTable)
        row = str(table.cursor_row)
        flip = "no" if table.get_cell(row, "use") == "yes" else "yes"
        table.update_cell(row, "use", flip)


class Review(App):
    """The wizard's coordinator journey opened at its review step with N imported cards."""

    def __init__(self, n: int, state: Path) -> None:
        super().__init__()
        self.n = n
        self.state = state

    def on_mount(self) -> None:
        journey = CoordinatorJourney(WizardContext(home=self.state / "home", state_dir=self.state))
        journey.checks = checks(self.n)
        journey.accepted = [True] * self.n
        journey.powers = [10] * self.n
        journey.index = 1
        self.push_screen(journey)


async def presses(app: App, count: int, key: str, before=None) -> list[float]:
    times = []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.focus()
        await pilot.pause()
        for i in range(count):
            table.move_cursor(row=(i * 7) % max(1, table.row_count))
            if before:
                before(app, i)
            await pilot.pause()
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            times.append(time.perf_counter() - start)
    return times


def rename(app: App, i: int) -> None:
    app.screen.query_one("#name", Input).value = f"renamed {i}"
    app.screen.query_one("#name", Input).focus()


async def measure(n: int, count: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_STATE_HOME"] = tmp
        bare = await presses(Bare(n), count, "space")
        toggle = await presses(Review(n, Path(tmp)), count, "space")
        apply = await presses(Review(n, Path(tmp)), count, "enter", before=rename)
    return {"bare DataTable, one cell": bare, "review: Space (accept/reject)": toggle,
            "review: Apply (rename)": apply}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=1000)
    ap.add_argument("--presses", type=int, default=30)
    args = ap.parse_args()
    results = asyncio.run(measure(args.cards, args.presses))
    anchor = statistics.median(results["bare DataTable, one cell"])
    print(f"key press at {args.cards} cards, {args.presses} presses each (ms)")
    for what, times in results.items():
        med = statistics.median(times)
        print(f"  {what:32} median {med * 1000:7.1f}  worst {max(times) * 1000:7.1f}  ratio {med / anchor:5.2f}x")


if __name__ == "__main__":
    main()
