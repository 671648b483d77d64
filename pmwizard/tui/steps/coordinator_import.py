"""Coordinator step 1: import member cards from files, a folder or pasted text; each validated and
signature-checked, conflicts (same key, node, address, name) shown side by side."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from pmwizard.core.cards import CardCheck, find_conflicts, parse_cards_text, read_cards
from pmwizard.core.shown import visible_lines
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.pathinput import PathInput, PathSuggester

__all__ = ["ImportStep", "PathSuggester", "card_line"]  # PathSuggester: moved to widgets/pathinput.py


def card_line(c: CardCheck) -> str:
    if c.valid and c.card:
        state = "signed" if c.signed else "UNSIGNED"
        return f"ok      {c.card.name} ({c.card.hostname}:{c.card.p2p_port}) {state}"
    return f"INVALID {Path(c.source).name}: {c.errors[0] if c.errors else ''}"


class ImportStep(Step):
    title = "import member cards"
    short = "Import"
    help = ('Signed cards prove both keys; unsigned cards and the three values (hostname pub_key node_id) are '
            'accepted with a warning. Invalid cards stay listed with the reason. A wrong entry: select it in '
            'the list and press Delete (or "Remove").')
    DEFAULT_CSS = """
    ImportStep #cards { height: auto; max-height: 8; }
    """
    BINDINGS: ClassVar = [Binding("delete", "remove", "Remove card", show=False)]

    def compose(self) -> ComposeResult:
        yield Static("A card file, a folder of cards, or paste cards / three values below:", classes="hint")
        yield PathInput(placeholder="path to a card or a folder (Tab/Right completes)", id="path")
        yield TextArea(id="pasted")
        with Horizontal():
            yield Button("Add path", compact=True, id="add-path", variant="primary")
            yield Button("Add pasted", compact=True, id="add-text")
            yield Button("Remove", compact=True, id="remove")
            yield Button("Clear", compact=True, id="clear")
        yield Static("", id="status", markup=False)
        yield OptionList(id="cards")
        yield Static("", id="conflicts", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).styles.height = 4

    def entered(self) -> None:
        box = self.query_one("#path", Input)
        if not box.value and self.context.demo and self.context.demo_cards:
            box.value = str(self.context.demo_cards[0].parent)
        self.show()

    @property
    def checks(self) -> list[CardCheck]:
        return self.journey.checks  # type: ignore[attr-defined]

    @on(Button.Pressed, "#add-path")
    @on(Input.Submitted, "#path")
    def add_path(self) -> None:
        value = self.query_one("#path", Input).value.strip()
        if not value:
            self.say("type a path first", "problem")
            return
        self.add(read_cards(Path(value).expanduser()))
        self.state.cards_path = value

    @on(Button.Pressed, "#add-text")
    def add_text(self) -> None:
        area = self.query_one("#pasted", TextArea)
        self.add(parse_cards_text(area.text, "<pasted>"))
        area.text = ""

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.checks.clear()
        self.journey.accepted, self.journey.powers = [], []  # type: ignore[attr-defined]
        self.show()

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        """Drop the highlighted card only (with its accept mark and power)."""
        listing = self.query_one("#cards", OptionList)
        i = listing.highlighted
        if i is None or not 0 <= i < len(self.checks):
            self.say("select a card in the list first", "problem")
            return
        j = self.journey
        gone = self.checks.pop(i)
        for column in (j.accepted, j.powers):  # type: ignore[attr-defined]
            if i < len(column):
                column.pop(i)
        self.show()
        if self.checks:
            listing.highlighted = min(i, len(self.checks) - 1)
        self.say(visible_lines(f"removed {gone.card.name if gone.card else Path(gone.source).name}; "
                         f"{len(self.checks)} card(s) left"))

    def add(self, found: list[CardCheck]) -> None:
        known = {(c.source, c.card.node_id if c.card else None) for c in self.checks}
        self.checks.extend(c for c in found if (c.source, c.card.node_id if c.card else None) not in known)
        self.journey.accepted = [c.valid for c in self.checks]  # type: ignore[attr-defined]
        self.show()

    def show(self) -> None:
        valid = [c for c in self.checks if c.valid]
        self.say(f"{len(self.checks)} card(s): {len(valid)} valid, {len(self.checks) - len(valid)} invalid",
                 "good" if valid and len(valid) == len(self.checks) else "hint")
        listing = self.query_one("#cards", OptionList)
        listing.clear_options()
        listing.add_options([Option(visible_lines(card_line(c))) for c in self.checks])
        listing.can_focus = bool(self.checks)  # an empty list is no place for the cursor
        conflicts = find_conflicts([c.card for c in valid if c.card])
        lines = []
        for x in conflicts:
            lines.append(f"CONFLICT ({x.kind}): {x.message}")
            lines.append(f"  {x.first.name:<30.30} | {x.second.name:<30.30}")
            lines.append(f"  {x.first.hostname:<30.30} | {x.second.hostname:<30.30}")
            lines.append(f"  {x.first.node_id[:30]:<30} | {x.second.node_id[:30]:<30}")
        self.query_one("#conflicts", Static).update(visible_lines("\n".join(lines)))

    def leave_problem(self) -> str | None:
        if not any(c.valid for c in self.checks):
            return "import at least one valid card"
        return None
