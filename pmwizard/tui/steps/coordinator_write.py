"""Coordinator step 4: write genesis.json, the peers line and a share bundle (the cards, a README with the
fingerprint) through the diff preview; the SHA-256 to read out to members is shown large."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.cards import card_text
from pmwizard.core.peers import peers_line
from pmwizard.core.plan import Plan
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step
from pmwizard.tui.widgets.copyable import CopyableText


class WriteStep(Step):
    title = "write genesis.json"
    help = ('Read the SHA-256 out to every member by another channel (a call): the join step shows the same '
            'fingerprint for the file they received.')

    def compose(self) -> ComposeResult:
        yield Static("Output folder, and optionally an existing genesis.json to add the members to:",
                     classes="hint")
        yield Input(compact=True, placeholder="output folder", id="out")
        yield Input(compact=True, placeholder="existing genesis.json (optional: start fresh when empty)", id="existing")
        with Horizontal():
            yield Button("Preview and write", compact=True, id="write", variant="primary")
        yield Static("", id="status", markup=False)
        yield CopyableText(id="fingerprint", label="Copy the fingerprint")

    def entered(self) -> None:
        out = self.query_one("#out", Input)
        if not out.value:
            out.value = self.data.get("output_dir") or str(self.context.home.parent / "network")

    def build(self) -> tuple[Plan, str]:
        from pmwizard.core.genesis import add_to_genesis, fingerprint, new_genesis

        j = self.journey
        members, powers = j.members(), j.member_powers()  # type: ignore[attr-defined]
        existing = self.query_one("#existing", Input).value.strip()
        if existing:
            text = add_to_genesis(Path(existing).expanduser().read_bytes(), members, existing)
        else:
            text = new_genesis(members, self.data.get("chain_id"), self.data.get("genesis_time"), powers=powers)
        digest = fingerprint(text.encode())
        out = Path(self.query_one("#out", Input).value.strip()).expanduser()
        self.data["output_dir"] = str(out)
        plan = Plan()
        plan.add(out / "genesis.json", text, notes=(f"SHA-256 {digest}",))
        plan.add(out / "peers.txt", peers_line([c.peer for c in members]) + "\n",
                 notes=("persistent_peers for every member (each drops its own entry)",))
        for c in members:
            plan.add(out / "cards" / f"{c.hostname}-{c.p2p_port}.json", card_text(c))
        readme = (f"Planetmint network {self.data.get('chain_id', '')}\n\ngenesis.json SHA-256: {digest}\n\n"
                  "Each member: compare the fingerprint, then run\n"
                  "  pmwizard configure --genesis genesis.json --peers cards/ --yes\n")
        plan.add(out / "README.txt", readme)
        return plan, digest

    @on(Button.Pressed, "#write")
    @on(Input.Submitted, "#out, #existing")
    def write(self) -> None:
        from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

        try:
            plan, digest = self.build()
        except (PmwizardError, OSError) as exc:
            self.say(str(exc), "problem")
            return

        def done(written) -> None:
            if written:
                self.say(f"wrote {len(written)} file(s). Read the fingerprint out to every member:", "good")
                self.query_one("#fingerprint", CopyableText).set_text(f"SHA-256 {digest}")
            else:
                self.say("nothing written")

        self.app.push_screen(DiffPreviewScreen(plan, "The network's files"), done)
