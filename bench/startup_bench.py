#!/usr/bin/env python3
"""Benchmark (not a test): time to first paint of the wizard vs a bare Textual app (Header, Static, Footer),
each in a fresh Python process, alternating, headless at 80x24. SPEC §8: the ratio should be at most 1.3.

    python bench/startup_bench.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

async def first_paint(pilot):
    await pilot.pause()
    pilot.app.exit()

Bare().run(headless=True, size=(80, 24), auto_pilot=first_paint)
"""

WIZARD = """
import sys
from pmwizard.tui.app import make_app
from pmwizard.tui.context import WizardContext

async def first_paint(pilot):
    await pilot.pause()
    assert "Set up my node" in str(pilot.app.screen.query_one("#journeys").get_option_at_index(0).prompt)
    pilot.app.exit()

make_app(WizardContext.for_home(sys.argv[1])).run(headless=True, size=(80, 24), auto_pilot=first_paint)
"""


def once(code: str, home: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, home], check=True, env=env, capture_output=True, timeout=60)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        once(BARE, home), once(WIZARD, home)  # warm the file cache
        bare, wizard = [], []
        for _ in range(args.runs):
            bare.append(once(BARE, home))
            wizard.append(once(WIZARD, home))
    b, w = statistics.median(bare), statistics.median(wizard)
    print(f"bare Textual app (Header, Static, Footer): median {b * 1000:.0f} ms over {args.runs} runs")
    print(f"pmwizard home screen:                      median {w * 1000:.0f} ms over {args.runs} runs")
    print(f"ratio: {w / b:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
