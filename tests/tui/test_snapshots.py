"""Snapshot tests (pytest-textual-snapshot): every main screen of the wizard at 80x24 (tests/tui/scenes.py,
a seeded demo), so a layout regression fails here and the screenshots are byte-reproducible. After a
deliberate change: `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at the SVGs in
tests/tui/__snapshots__/ and regenerate screenshots/ with scripts/screenshots.py."""

from __future__ import annotations

import pytest

from pmwizard.tui.app import make_app
from tests.tui.scenes import SCENES, Scene, seeded_sandbox


@pytest.mark.parametrize("scene", SCENES, ids=[s.name for s in SCENES])
def test_screen(snap_compare, scene: Scene) -> None:
    with seeded_sandbox() as sb:
        state = scene.setup(sb)
        assert snap_compare(make_app(sb.context), run_before=lambda pilot: scene.run(pilot, state))
