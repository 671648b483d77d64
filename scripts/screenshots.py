#!/usr/bin/env python3
"""Regenerate screenshots/: one SVG per main screen, 80x24, from the seeded demo (tests/tui/scenes.py):
fixed keys, ports, times and paths, so a regeneration changes a file only when its screen changed. The
snapshot tests (tests/tui/test_snapshots.py) compare the same scenes with their baselines.

    python3 scripts/screenshots.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from textual._doc import take_svg_screenshot

from pmwizard.tui.app import make_app
from tests.tui.scenes import SCENES, SCREENSHOT_ONLY, seeded_sandbox

OUT = Path(__file__).resolve().parents[1] / "screenshots"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.svg"):
        old.unlink()
    for scene in [*SCENES, *SCREENSHOT_ONLY]:
        with seeded_sandbox() as sb:
            state = scene.setup(sb)
            svg = take_svg_screenshot(app=make_app(sb.context), terminal_size=(80, 24),
                                      run_before=lambda pilot, s=scene, st=state: s.run(pilot, st))
        (OUT / f"{scene.name}.svg").write_text(svg)
        print(f"screenshots/{scene.name}.svg")


if __name__ == "__main__":
    main()
