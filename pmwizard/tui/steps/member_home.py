"""Member step 1: the node home, chosen on screen (the homes found: $CMTHOME, $TMHOME, ~/.cometbft,
~/.tendermint, or a path typed), its key files, missing keys generated (never overwriting), a legacy
priv_validator.json converted, loose permissions warned about."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from pmwizard.core import keys
from pmwizard.core.paths import existing_homes
from pmwizard.core.shown import visible_lines
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.pathinput import PathInput


class NodeHomeStep(MemberStep):
    title = "node home and keys"
    short = "Node home"
    help = ('The node home is the folder `cometbft init` (or `tendermint init`) made: ~/.cometbft, '
            '~/.tendermint, or $CMTHOME / $TMHOME. Pick the one your node runs from, or type another path. '
            'The validator key signs blocks, the node key proves this node to peers. Missing keys are created '
            '0600 in a 0700 folder; existing ones are never overwritten. A pre-0.28 priv_validator.json is '
            'converted with its signing state, the old file kept as .bak.')
    DEFAULT_CSS = """
    NodeHomeStep #homes { height: auto; max-height: 5; margin-bottom: 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Node homes found (Enter picks one), or type another folder:", classes="hint")
        yield OptionList(id="homes")
        yield PathInput(placeholder="another node home folder (Enter uses it)", id="home-input")
        yield Static("", id="home-path", markup=False)
        yield Static("", id="files", markup=False)
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Create missing keys", compact=True, id="create", variant="primary")
            yield Button("Convert legacy key", compact=True, id="convert")

    def entered(self) -> None:
        homes = self.query_one("#homes", OptionList)
        homes.clear_options()
        found = [] if self.context.demo else existing_homes()
        paths = [h.path for h in found]
        options = [Option(visible_lines(f"{h.path}  ({h.reason})"), id=str(h.path)) for h in found]
        if self.home() not in paths:
            why = self.context.home_reason or ("the demo's home" if self.context.demo else "chosen")
            options.insert(0, Option(visible_lines(f"{self.home()}  ({why})"), id=str(self.home())))
        homes.add_options(options)
        homes.highlighted = next((i for i, o in enumerate(options) if o.id == str(self.home())), 0)
        self.refresh_state()

    @on(OptionList.OptionSelected, "#homes")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.use_home(Path(event.option.id or ""))

    @on(Input.Submitted, "#home-input")
    def typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.use_home(Path(event.value.strip()).expanduser())

    def use_home(self, path: Path) -> None:
        """Every later step (keys, card, configure, start) uses this home; it is kept with the progress."""
        self.context.home = path.absolute()
        self.context.home_reason = "chosen here"
        self.state.home = str(self.context.home)
        self.refresh_state()
        create = self.query_one("#create", Button)
        if not create.disabled:  # the next thing to do with this home
            create.focus()

    def refresh_state(self) -> None:
        home = self.home()
        self.query_one("#home-path", Static).update(visible_lines(f"Node home: {home}"))
        found = keys.files_found(home)
        self.query_one("#files", Static).update("\n".join(f"  {state:8} {rel}" for rel, state in found.items()))
        legacy = (home / keys.LEGACY_VALIDATOR).exists() and not (home / keys.VALIDATOR_KEY).exists()
        self.query_one("#convert", Button).display = legacy
        try:
            ident = keys.load_identity(home)
        except PmwizardError as exc:
            self.query_one("#create", Button).disabled = legacy
            self.say(visible_lines(f"No usable keys yet: {exc}"), "problem")
            return
        missing = keys.init_plan(home).pending
        self.query_one("#create", Button).disabled = not missing
        lines = [f"node_id {ident.node_id}", f"validator address {ident.address}", *ident.warnings]
        self.say(visible_lines("\n".join(lines)), "problem" if ident.warnings else "good")

    @on(Button.Pressed, "#create")
    @work(exclusive=True, group="home", exit_on_error=False)
    async def create(self) -> None:
        await self.preview(keys.init_plan(self.home()), "New keys (created 0600, never overwritten)")
        self.refresh_state()

    @on(Button.Pressed, "#convert")
    @work(exclusive=True, group="home", exit_on_error=False)
    async def convert(self) -> None:
        try:
            plan = keys.convert_legacy_plan(self.home())
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return
        if await self.preview(plan, "Convert priv_validator.json (the old file is kept as .bak)"):
            keys.keep_legacy_as_backup(self.home())
        self.refresh_state()

    def leave_problem(self) -> str | None:
        try:
            keys.load_identity(self.home())
        except PmwizardError as exc:
            return f"Create or convert the keys first ({exc})"
        return None
