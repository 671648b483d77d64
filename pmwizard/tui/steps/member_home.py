"""Member step 1: the node home: key files found, missing keys generated (never overwriting), a legacy
priv_validator.json converted, loose permissions warned about."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from pmwizard.core import keys
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step


class NodeHomeStep(Step):
    title = "node home and keys"
    help = ('The validator key signs blocks, the node key proves this node to peers. Missing keys are created '
            '0600 in a 0700 folder; existing ones are never overwritten. A pre-0.28 priv_validator.json is '
            'converted with its signing state, the old file kept as .bak.')

    def compose(self) -> ComposeResult:
        yield Static("", id="home-path", markup=False)
        yield Static("", id="files", markup=False)
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Create missing keys", compact=True, id="create", variant="primary")
            yield Button("Convert legacy key", compact=True, id="convert")

    def entered(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        home = self.context.home
        self.query_one("#home-path", Static).update(f"Tendermint home: {home}")
        found = keys.files_found(home)
        self.query_one("#files", Static).update("\n".join(f"  {state:8} {rel}" for rel, state in found.items()))
        legacy = (home / keys.LEGACY_VALIDATOR).exists() and not (home / keys.VALIDATOR_KEY).exists()
        self.query_one("#convert", Button).display = legacy
        try:
            ident = keys.load_identity(home)
        except PmwizardError as exc:
            self.data.pop("node_id", None)
            self.query_one("#create", Button).disabled = legacy
            self.say(f"No usable keys yet: {exc}", "problem")
            return
        missing = keys.init_plan(home).pending
        self.query_one("#create", Button).disabled = not missing
        lines = [f"node_id {ident.node_id}", f"validator address {ident.address}", *ident.warnings]
        self.say("\n".join(lines), "problem" if ident.warnings else "good")

    @on(Button.Pressed, "#create")
    def create(self) -> None:
        self._preview(keys.init_plan(self.context.home), "New keys (created 0600, never overwritten)")

    @on(Button.Pressed, "#convert")
    def convert(self) -> None:
        try:
            plan = keys.convert_legacy_plan(self.context.home)
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return
        self._preview(plan, "Convert priv_validator.json (the old file is kept as .bak)", legacy=True)

    def _preview(self, plan, title: str, legacy: bool = False) -> None:
        from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

        def done(written) -> None:
            if written and legacy:
                keys.keep_legacy_as_backup(self.context.home)
            self.refresh_state()

        self.app.push_screen(DiffPreviewScreen(plan, title), done)

    def leave_problem(self) -> str | None:
        try:
            keys.load_identity(self.context.home)
        except PmwizardError as exc:
            return f"Create or convert the keys first ({exc})"
        return None
