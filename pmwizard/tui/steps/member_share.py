"""Member step 5: share identity: the signed member card, shown large, copyable (OSC 52), saved as a file;
also the plain three values some coordinators ask for. Signing runs off the event loop: the card is
re-signed as the name is typed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.cards import MemberCard, card_text, check_name, export_card, three_values
from pmwizard.core.plan import Plan
from pmwizard.core.shown import visible_lines
from pmwizard.errors import InputError, PmwizardError
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.copyable import CopyableText


def name_problem(name: str) -> str | None:
    """The member name as the coordinator's tools will judge it (blank means: the host name)."""
    if not name:
        return None
    try:
        check_name(name, "name")
    except InputError as exc:
        return exc.message
    return None


class ShareStep(MemberStep):
    title = "share your identity"
    short = "Your card"
    help = ("The card holds public values only (validator public key, node ID, host and port), signed by both "
            "keys: it proves its maker holds them. Send the file, or copy the text. Names that mix look-alike "
            "alphabets (Latin with Cyrillic or Greek in one word) are refused, as host names are.")

    def compose(self) -> ComposeResult:
        yield Static("Your member card: send it to the coordinator (it holds public values only).",
                     classes="hint")
        yield Input(compact=True, placeholder="your member name (default: the host name)", id="name")
        with Horizontal():
            yield Button("Save card file", compact=True, id="save", variant="primary")
        yield Static("", id="status", markup=False)
        yield CopyableText(id="three", label="Copy the three values")
        yield CopyableText(id="card", label="Copy the card")

    def entered(self) -> None:
        self.card: MemberCard | None = None
        name = self.query_one("#name", Input)
        if not name.value:
            name.value = self.state.name
        self.render_card()

    @on(Input.Changed, "#name")
    def renamed(self, event: Input.Changed) -> None:
        self.state.name = event.value
        self.render_card()

    def render_card(self) -> None:
        problem = name_problem(self.state.name)
        if problem:
            self.card = None
            self.say(f"name: {problem}", "problem")
            return
        self._signing = self.sign_card(self.state.hostname, self.state.name or None, self.state.p2p_port)

    @work(exclusive=True, group="card", exit_on_error=False)
    async def sign_card(self, hostname: str, name: str | None, port: int) -> None:
        try:
            card = await asyncio.to_thread(export_card, self.home(), hostname, name, port, self.context.fixed_time)
        except PmwizardError as exc:
            self.card = None
            self.say(visible_lines(str(exc)), "problem")
            return
        self.card = card
        self.say(f"node_id {card.node_id}", "good")
        self.query_one("#three", CopyableText).set_text(visible_lines(three_values(card)))
        self.query_one("#card", CopyableText).set_text(visible_lines(card_text(card)))

    def card_path(self) -> Path:
        return Path(self.state.card_file or self.home() / "member-card.json")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#name")
    @work(exclusive=True, group="save-card", exit_on_error=False)
    async def save(self) -> None:
        signing = getattr(self, "_signing", None)
        if signing is not None and not signing.is_finished:
            await signing.wait()  # the card for the name as typed last
        if self.card is None:
            self.say("no card to save yet: see the problem above", "problem")
            return
        plan = Plan()
        path = self.card_path()
        plan.add(path, card_text(self.card), notes=("member card: public values only, signed by both keys",))
        if await self.preview(plan, "Member card"):
            self.state.card_file = str(path)
            self.state._card_saved = str(path)
            self.say(f"saved {path}: send it to the coordinator", "good")

    def leave_problem(self) -> str | None:
        problem = name_problem(self.state.name)
        return f"name: {problem}" if problem else None


