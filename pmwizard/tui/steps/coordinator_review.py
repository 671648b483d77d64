"""Coordinator step 2: the members table: validation status, name and power editable, accept or reject."""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static

from pmwizard.core.cards import find_conflicts
from pmwizard.core.conflicts import ConflictTally
from pmwizard.tui.steps.base import Step


class ReviewStep(Step):
    title = "review the members"
    short = "Review"
    help = ('Conflicts (same key, node, host:port or name) must be settled by rejecting one of each pair. '
            'Power defaults to 10.')
    DEFAULT_CSS = """
    ReviewStep #name { width: 1fr; }
    ReviewStep #power { width: 12; margin-left: 2; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Space/Enter toggles accept; edit the selected member's name or power below.", classes="hint")
        yield DataTable(id="members", cursor_type="row")
        with Horizontal():
            yield Input(compact=True, placeholder="name", id="name")
            yield Input(compact=True, placeholder="power", id="power", type="integer")
        with Horizontal():
            yield Button("Apply", compact=True, id="apply", variant="primary")
            yield Button("Accept/Reject", compact=True, id="toggle")
        yield Static("", id="status", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("use", "name", "host:port", "node id", "card", "power"):
            table.add_column(label, key=label)
        table.styles.height = 8
        self.tally = ConflictTally()

    @property
    def j(self):
        return self.journey

    def entered(self) -> None:
        j = self.j
        while len(j.powers) < len(j.checks):
            j.powers.append(10)
        self.redraw()

    def redraw(self) -> None:
        """The whole table and tally (when the step is entered); a key press changes one row (_update_row)."""
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for i, c in enumerate(self.j.checks):
            use = "yes" if self.j.accepted[i] else "no"
            if c.card is None:
                table.add_row("no", "(invalid)", Text(c.source[-18:]), "", "invalid", "", key=str(i))
                continue
            # Text: names are shown exactly as written, never read as markup ("[b]Bob[/b]" stays that)
            table.add_row(use, Text(c.card.name[:20]), f"{c.card.hostname[:22]}:{c.card.p2p_port}", c.card.node_id[:8],
                          "signed" if c.signed else "unsigned", str(self.j.powers[i]), key=str(i))
        if self.j.checks:
            table.move_cursor(row=min(row, len(self.j.checks) - 1))
        self.tally = ConflictTally(self.j.members())
        self._say_tally()

    def _update_row(self, i: int) -> None:
        """Row i's cells after a toggle or an edit: only the changed cells are redrawn (O(1) per key press,
        where clearing and refilling 1,000 rows cost ~180 ms)."""
        table = self.query_one(DataTable)
        card = self.j.checks[i].card
        table.update_cell(str(i), "use", "yes" if self.j.accepted[i] else "no")
        if card is not None:
            table.update_cell(str(i), "name", Text(card.name[:20]))
            table.update_cell(str(i), "power", str(self.j.powers[i]))
        self._say_tally()

    def _say_tally(self) -> None:
        clashes = self.tally.conflicts
        self.say(f"{self.tally.members} member(s) accepted" + (f"; {clashes} conflict(s): reject one of each pair"
                                                                if clashes else ""), "problem" if clashes else "good")

    def _selected(self) -> int | None:
        table = self.query_one(DataTable)
        return table.cursor_row if self.j.checks else None

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        i = event.cursor_row
        if 0 <= i < len(self.j.checks) and self.j.checks[i].card:
            self.query_one("#name", Input).value = self.j.checks[i].card.name
            self.query_one("#power", Input).value = str(self.j.powers[i])

    @on(DataTable.RowSelected)
    @on(Button.Pressed, "#toggle")
    def toggle(self) -> None:
        i = self._selected()
        if i is None or self.j.checks[i].card is None:
            return
        self.j.accepted[i] = not self.j.accepted[i]
        (self.tally.add if self.j.accepted[i] else self.tally.remove)(self.j.checks[i].card)
        self._update_row(i)

    def key_space(self) -> None:
        self.toggle()

    @on(Button.Pressed, "#apply")
    @on(Input.Submitted, "#name, #power")
    def apply(self) -> None:
        from pmwizard.core.cards import check_name
        from pmwizard.errors import InputError

        i = self._selected()
        if i is None or self.j.checks[i].card is None:
            return
        name = self.query_one("#name", Input).value
        power = self.query_one("#power", Input).value
        try:
            check_name(name, "name")
            if not power.isdigit() or int(power) < 1:
                raise InputError("power", None, "a whole number of at least 1")
        except InputError as exc:
            self.say(str(exc), "problem")
            return
        c = self.j.checks[i]
        renamed = dataclasses.replace(c.card, name=name)
        self.j.checks[i] = dataclasses.replace(c, card=renamed)
        self.j.powers[i] = int(power)
        if self.j.accepted[i]:
            self.tally.remove(c.card)
            self.tally.add(renamed)
        self._update_row(i)

    def leave_problem(self) -> str | None:
        members = self.j.members()
        if not members:
            return "accept at least one member"
        clashes = find_conflicts(members)
        return f"resolve the conflicts first: {clashes[0].message}" if clashes else None
