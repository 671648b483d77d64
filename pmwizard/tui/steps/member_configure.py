"""Member step 6: configure: genesis.json, config.toml and the service files, each as a diff to accept or
skip; nothing is written before "Write"."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Static

from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step


class ConfigureStep(Step):
    title = "configure the node"
    help = ("persistent_peers gets every card's node but this one. Peers on loopback or private addresses "
            'also set addr_book_strict = false and allow_duplicate_ip = true (nodes on one host or LAN). Each '
            'file is a diff: untick one to skip it; replaced files are kept as .bak and `pmwizard undo` puts '
            'them back.')

    def compose(self) -> ComposeResult:
        yield Static("Moniker (the node's name in Tendermint, printable ASCII):", classes="hint")
        yield Input(compact=True, placeholder="moniker", id="moniker")
        yield Checkbox("also the service files: Monit, Tarantool, NGINX, Planetmint config", id="services")
        yield Static("", id="status", markup=False)
        with Horizontal():
            yield Button("Preview the changes", compact=True, id="preview", variant="primary")

    def entered(self) -> None:
        box = self.query_one("#moniker", Input)
        if not box.value:
            box.value = self.data.get("moniker") or self.data.get("name") or ""

    @on(Input.Changed, "#moniker")
    def moniker(self, event: Input.Changed) -> None:
        self.data["moniker"] = event.value

    def build_plan(self):
        from pmwizard.core.cards import read_cards
        from pmwizard.core.tmconfig import configure_plan

        cards = []
        if self.data.get("cards_path"):
            cards = [c.card for c in read_cards(Path(self.data["cards_path"]).expanduser()) if c.valid and c.card]
        from pmwizard.checks.peer_lookup import address_resolver

        plan = configure_plan(self.context.home, Path(self.data.get("genesis_file", "")).expanduser(),
                              moniker=self.data.get("moniker") or None, peers=cards,
                              resolve=address_resolver(self.context.nameservers, self.context.timeout))
        if self.query_one("#services", Checkbox).value:
            from pmwizard.render.plans import services_plan

            plan.extend(services_plan(self.context.home, self.data.get("hostname"), folder=self.context.services_folder,
                                      planetmint_config_path=self.context.planetmint_config,
                                      nginx_site=self.context.nginx_site))
        return plan

    @on(Button.Pressed, "#preview")
    @on(Input.Submitted, "#moniker")
    def preview(self) -> None:
        from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

        try:
            plan = self.build_plan()
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return

        def done(written) -> None:
            self.say(f"wrote {len(written)} file(s)" if written else "nothing written",
                     "good" if written else "hint")

        self.app.push_screen(DiffPreviewScreen(plan, "Configure this node"), done)
