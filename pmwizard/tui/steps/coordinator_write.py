"""Coordinator step 4: write genesis.json, the peers line and a share bundle (the cards, a README with the
fingerprint) through the diff preview; the SHA-256 to read out to members is shown large."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.cards import card_text
from pmwizard.core.peers import peers_line
from pmwizard.core.plan import Plan
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.copyable import CopyableText
from pmwizard.tui.widgets.pathinput import PathInput


class WriteStep(Step):
    title = "write genesis.json"
    short = "Write"
    help = ('Read the SHA-256 out to every member by another channel (a call): the join step shows the same '
            'fingerprint for the file they received.')

    def compose(self) -> ComposeResult:
        yield Static("Output folder, and optionally an existing genesis.json to add the members to:",
                     classes="hint")
        yield PathInput(placeholder="output folder", id="out")
        yield PathInput(placeholder="existing genesis.json (optional: start fresh when empty)", id="existing")
        with Horizontal():
            yield Button("Preview and write", compact=True, id="write", variant="primary")
        yield Static("", id="status", markup=False)
        yield CopyableText(id="fingerprint", label="Copy the fingerprint")

    def entered(self) -> None:
        out = self.query_one("#out", Input)
        if not out.value:
            out.value = self.state.output_dir or str(self.context.home.parent / "network")

    def build(self) -> tuple[Plan, str]:
        from pmwizard.core.genesis import add_to_genesis, fingerprint, new_genesis

        j = self.journey
        members, powers = j.members(), j.member_powers()  # type: ignore[attr-defined]
        existing = self.query_one("#existing", Input).value.strip()
        if existing:
            text = add_to_genesis(Path(existing).expanduser().read_bytes(), members, existing)
        else:
            text = new_genesis(members, self.state.chain_id or None, self.state.genesis_time or None, powers=powers)
        digest = fingerprint(text.encode())
        out = Path(self.query_one("#out", Input).value.strip()).expanduser()
        self.state.output_dir = str(out)
        plan = Plan()
        plan.add(out / "genesis.json", text, notes=(f"SHA-256 {digest}",))
        plan.add(out / "peers.txt", peers_line([c.peer for c in members]) + "\n",
                 notes=("persistent_peers for every member (each drops its own entry)",))
        for c in members:
            plan.add(out / "cards" / f"{c.hostname}-{c.p2p_port}.json", card_text(c))
        readme = (f"Planetmint network {self.state.chain_id}\n\ngenesis.json SHA-256: {digest}\n\n"
                  "Each member: compare the fingerprint, then run\n"
                  "  pmwizard configure --genesis genesis.json --peers cards/ --yes\n")
        plan.add(out / "README.txt", readme)
        return plan, digest

    @on(Button.Pressed, "#write")
    @on(Input.Submitted, "#out, #existing")
    @work(exclusive=True, group="write", exit_on_error=False)
    async def write(self) -> None:
        try:
            plan, digest = self.build()
        except (PmwizardError, OSError) as exc:
            self.say(str(exc), "problem")
            return
        written = await self.preview(plan, "The network's files")
        if written:
            self.say(f"wrote {len(written)} file(s). Read the fingerprint out to every member:", "good")
            self.query_one("#fingerprint", CopyableText).set_text(f"SHA-256 {digest}")
        else:
            self.say("nothing written")
