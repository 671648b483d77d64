"""Member step 4: share identity: the signed member card, shown large, copyable (OSC 52), saved as a file;
also the plain three values some coordinators ask for."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.cards import card_text, export_card, three_values
from pmwizard.core.plan import Plan
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.copyable import CopyableText


class ShareStep(Step):
    title = "share your identity"
    help = ("The card holds public values only (validator public key, node ID, host and port), signed by both "
            "keys: it proves its maker holds them. Send the file, or copy the text.")

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
        name = self.query_one("#name", Input)
        if not name.value:
            name.value = self.data.get("name", "")
        self.render_card()

    @on(Input.Changed, "#name")
    def renamed(self, event: Input.Changed) -> None:
        self.data["name"] = event.value
        self.render_card()

    def render_card(self) -> None:
        try:
            self.card = export_card(self.context.home, self.data.get("hostname", ""), self.data.get("name") or None,
                                    int(self.data.get("p2p_port", 26656)))
        except PmwizardError as exc:
            self.card = None
            self.say(str(exc), "problem")
            return
        self.say(f"node_id {self.card.node_id}", "good")
        self.query_one("#three", CopyableText).set_text(three_values(self.card))
        self.query_one("#card", CopyableText).set_text(card_text(self.card))

    def card_path(self) -> Path:
        return Path(self.data.get("card_file") or self.context.home / "member-card.json")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#name")
    def save(self) -> None:
        from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

        if self.card is None:
            return
        plan = Plan()
        path = self.card_path()
        plan.add(path, card_text(self.card), notes=("member card: public values only, signed by both keys",))

        def done(written) -> None:
            if written:
                self.data["card_file"] = str(path)
                self.say(f"saved {path}: send it to the coordinator", "good")

        self.app.push_screen(DiffPreviewScreen(plan, "Member card"), done)
