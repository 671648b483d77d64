"""Wizard tests: the app from the one factory, on the demo sandbox (loopback DNS and HTTPS), at 80x24."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Button, Input

from pmwizard.demo import Sandbox


@pytest.fixture()
def sandbox(tmp_path) -> Iterator[Sandbox]:
    with Sandbox(tmp_path / "sandbox") as sb:
        yield sb


async def press(pilot, selector: str) -> None:
    """Press a button of the current screen (scrolled into view or not), then let the app settle."""
    pilot.app.screen.query_one(selector, Button).press()
    await settle(pilot)


async def type_into(pilot, selector: str, text: str) -> None:
    box = pilot.app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await pilot.press(*text) if len(text) < 40 else setattr(box, "value", text)
    await settle(pilot)


def screen_workers(app) -> list:
    """The running workers started on the screen in front. A step's worker that waits for a preview
    (push_screen_wait) belongs to the screen behind it: waiting for it would wait for the operator."""
    out = []
    for worker in app.workers:
        node = worker.node
        screen = node if node is app else getattr(node, "screen", None) if node.is_attached else None
        if worker.is_running and (node is app or screen is app.screen):
            out.append(worker)
    return out


async def settle(pilot) -> None:
    """Let the app finish what the last key or click started on the screen in front."""
    await pilot.pause()
    for _ in range(3):
        running = screen_workers(pilot.app)
        if not running:
            break
        await pilot.app.workers.wait_for_complete(running)
        await pilot.pause()
    await pilot.pause()


def screen_text(app) -> str:
    """What the current screen shows (its visible lines) plus every text widget's full content (so text
    scrolled out of view still counts): what a person can read on it."""
    from textual.widgets import Collapsible, OptionList, Static

    lines = ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]
    for w in app.screen.query(Static):
        lines.append(str(w.render()))
    for c in app.screen.query(Collapsible):
        lines.append(str(c.title))
    for o in app.screen.query(OptionList):
        lines.extend(str(o.get_option_at_index(i).prompt) for i in range(o.option_count))
    return "\n".join(lines)
