"""Troubleshoot: the doctor over one host name, or over every member of a genesis + cards; findings stream in
as they finish, each expandable to evidence and fix."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Static
from textual.worker import Worker

from pmwizard.core.shown import visible
from pmwizard.errors import PmwizardError
from pmwizard.tui.context import WizardContext
from pmwizard.tui.widgets.findings import FindingList
from pmwizard.tui.widgets.pathinput import PathInput


class TroubleshootScreen(Screen):
    DEFAULT_CSS = """
    TroubleshootScreen VerticalScroll { padding: 0 1; }
    TroubleshootScreen Input { margin-bottom: 1; }
    TroubleshootScreen Horizontal { height: 1; margin-bottom: 1; }
    TroubleshootScreen #body { height: 1fr; }
    TroubleshootScreen #status { height: auto; }
    TroubleshootScreen .label { color: $text-muted; }
    """
    help_title = "Troubleshoot"
    help_text = ("One host name, or every member of a card set (leave the host empty, or put the cards' path "
                 "in it). A genesis.json gives the chain every node must run. A CA file: the certificate of a "
                 "private CA that signed the servers' certificates (otherwise they are 'untrusted root'). "
                 "When the run ends the problems come first: fail, error, warn, then ok.")
    BINDINGS: ClassVar = [Binding("escape", "home", "Home"),
                          Binding("ctrl+n", "network", "Network")]  # the running network (screens/network.py)

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self.context = context
        self.data = context.load_progress("troubleshoot")

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            # a label over every field: a filled-in placeholder no longer says what the field is
            yield Static("Host name to check (empty: every member of the cards):", classes="label")
            yield Input(compact=True, placeholder="node.example.org, or a path of cards", id="target")
            yield Static("Member cards, a folder or a file (optional):", classes="label")
            yield PathInput(placeholder="cards/", id="cards")
            yield Static("genesis.json, for the chain every node must run (optional):", classes="label")
            yield PathInput(placeholder="genesis.json", id="genesis")
            yield Static("CA certificate file, for servers signed by a private CA (optional):", classes="label")
            yield PathInput(placeholder="ca.pem", id="ca-file")
            with Horizontal():
                yield Button("Run checks", compact=True, id="run", variant="primary")
            yield Static("", id="status", markup=False)
            yield FindingList(id="findings")
        yield Footer()

    def on_mount(self) -> None:
        target = self.data.get("target") or (self.context.sample_hostname if self.context.demo else "")
        self.query_one("#target", Input).value = target
        cards = self.data.get("cards_path") or (str(self.context.demo_cards[0].parent)
                                                if self.context.demo and self.context.demo_cards else "")
        self.query_one("#cards", Input).value = cards  # used when the host name is left empty
        self.query_one("#ca-file", Input).value = self.data.get("ca") or ""
        self.query_one("#target", Input).focus()

    def targets(self):
        from pmwizard.checks.doctor import DoctorTarget, member_targets
        from pmwizard.core.cards import read_cards, usable_cards

        host = self.query_one("#target", Input).value.strip()
        cards_path = self.query_one("#cards", Input).value.strip()
        if host and ("/" in host or Path(host).expanduser().exists()):
            cards_path, host = host, ""  # a path in the host field: the cards to check
            self.query_one("#cards", Input).value = cards_path
            self.query_one("#target", Input).value = ""
        ca = self.query_one("#ca-file", Input).value.strip()
        self.context.save_progress("troubleshoot", {"target": host, "cards_path": cards_path, "ca": ca})
        if host:
            return [DoctorTarget(name=host, hostname=host, tls_port=self.context.tls_port)]
        if not cards_path:
            raise PmwizardError("type a host name, or the path of the members' cards")
        cards, _ = usable_cards(read_cards(Path(cards_path).expanduser()), cards_path)
        targets = member_targets(cards, consortium_domain=None, round_robin=None, rpc={})
        if self.context.tls_port != 443:
            import dataclasses

            targets = [dataclasses.replace(t, tls_port=self.context.tls_port) for t in targets]
        return targets

    @on(Button.Pressed, "#run")
    @on(Input.Submitted)
    def run(self) -> None:
        try:
            targets = self.targets()
            chain_id = None
            genesis = self.query_one("#genesis", Input).value.strip()
            if genesis:
                from pmwizard.core.genesis import read_genesis

                chain_id = read_genesis(Path(genesis).expanduser()).chain_id
        except PmwizardError as exc:
            self.query_one("#status", Static).update(str(exc))
            return
        listing = self.query_one(FindingList)
        listing.clear_findings()
        listing.by_member = len(targets) > 1
        ca = self.query_one("#ca-file", Input).value.strip()
        if ca and not Path(ca).expanduser().is_file():
            self.query_one("#status", Static).update(f"{visible(ca)}: CA file: no such file")
            return
        self.run_doctor(targets, chain_id, str(Path(ca).expanduser()) if ca else self.context.ca_file)

    @work(exclusive=True, group="doctor", exit_on_error=False)
    async def run_doctor(self, targets, chain_id, ca_file: str | None = None) -> None:
        from pmwizard.checks.doctor import run_doctor

        status = self.query_one("#status", Static)
        status.update(f"checking {len(targets)} target(s) ...")
        listing = self.query_one(FindingList)
        found = await run_doctor(targets, chain_id=chain_id, nameservers=self.context.nameservers,
                                 ca_file=ca_file, timeout=self.context.timeout, on_finding=listing.add_finding)
        await listing.problems_first()
        bad = sum(f.status.value in ("fail", "error") for f in found)
        from pmwizard.tui.steps.member_join import refused_note

        status.update(f"done: {len(found)} findings, {bad} to fix (select one and press Enter for the fix)"
                      + refused_note(found))

    def action_network(self) -> None:
        from pmwizard.tui.screens.network import NetworkScreen

        self.app.push_screen(NetworkScreen(self.context))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A doctor run that raised says so on #status (the App's one handler)."""
        from pmwizard.tui.app import forward_worker_state

        forward_worker_state(self, event)

    def action_home(self) -> None:
        self.app.pop_screen()
