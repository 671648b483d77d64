"""Member step 5: join: the coordinator's genesis.json verified (Tendermint's rules, this node's validator
present, the fingerprint to compare), and the member cards that give the peers."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import Step


class JoinStep(Step):
    title = "join: the network's genesis"

    def compose(self) -> ComposeResult:
        yield Static("The genesis.json the coordinator sent, and the members' cards (a folder or files):",
                     classes="hint")
        yield Input(compact=True, placeholder="path to genesis.json", id="genesis")
        yield Input(compact=True, placeholder="folder of member cards (for the peers line)", id="cards")
        yield Static("", id="status", markup=False)
        yield Static("", id="fingerprint", markup=False)
        yield Static("", id="peers", markup=False)

    def entered(self) -> None:
        for key in ("genesis", "cards"):
            box = self.query_one(f"#{key}", Input)
            if not box.value:
                box.value = self.data.get(f"{key}_file" if key == "genesis" else "cards_path", "")
        self.verify()

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        key = "genesis_file" if event.input.id == "genesis" else "cards_path"
        self.data[key] = event.value.strip()
        self.verify()

    def verify(self) -> None:
        from pmwizard.core.genesis import read_genesis
        from pmwizard.core.keys import load_identity

        self.report = None
        path = self.data.get("genesis_file", "")
        if not path:
            self.say("type the genesis file's path")
            return
        try:
            report = read_genesis(Path(path).expanduser())
            ident = load_identity(self.context.home)
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return
        self.report = report
        fp = self.query_one("#fingerprint", Static)
        fp.update(f"SHA-256  {report.sha256}\ncompare it with the one the coordinator read out")
        if not report.valid:
            self.say("Tendermint would refuse this genesis:\n" + "\n".join(report.errors), "problem")
            return
        mine = any(v.address == ident.address for v in report.validators)
        lines = [f"valid: chain {report.chain_id}, {len(report.validators)} validators"]
        lines.append("this node's validator is in it" if mine else
                     f"this node's validator {ident.address} is NOT in it: it would run as a non-voting node")
        self.say("\n".join(lines + list(report.warnings)), "good" if mine else "problem")
        self.show_peers()

    def show_peers(self) -> None:
        from pmwizard.core.cards import read_cards

        cards_path = self.data.get("cards_path", "")
        widget = self.query_one("#peers", Static)
        if not cards_path:
            widget.update("no cards given: persistent_peers stays as it is")
            return
        checks = read_cards(Path(cards_path).expanduser())
        lines = [f"{'ok ' if c.valid else 'BAD'} {c.card.name if c.card else c.source}"
                 + (f"  {c.card.peer}" if c.card else f"  {c.errors[0] if c.errors else ''}") for c in checks]
        widget.update("peers from the cards:\n" + "\n".join(lines))

    def leave_problem(self) -> str | None:
        if self.report is None or not self.report.valid:
            return "a valid genesis.json is needed to configure the node"
        return None
