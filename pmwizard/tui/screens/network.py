"""Troubleshoot > Network: the running network as this node's RPC shows it, refreshed in place every few
seconds: the consensus verdict on top, one row per validator (member, power, signed, missed in a row,
connected), then every finding that is not a pass, each expandable to its fix. The same run_network as
`pmwizard doctor --network --watch`; this screen only presents it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Static

from pmwizard.checks.finding import Status
from pmwizard.errors import PmwizardError
from pmwizard.tui.context import WizardContext
from pmwizard.tui.widgets.findings import FindingList

REFRESH = 5.0
COLUMNS = ("member", "power", "signed", "missed in a row", "connected", "verdict")


class NetworkScreen(Screen):
    DEFAULT_CSS = """
    NetworkScreen VerticalScroll { padding: 0 1; }
    NetworkScreen Input { margin-bottom: 1; }
    NetworkScreen Horizontal { height: 1; margin-bottom: 1; }
    NetworkScreen #verdict { height: auto; text-style: bold; }
    NetworkScreen DataTable { height: auto; max-height: 12; margin-bottom: 1; }
    """
    BINDINGS: ClassVar = [Binding("escape", "back", "Back"), Binding("f5", "refresh_now", "Refresh")]

    def __init__(self, context: WizardContext, rpc_url: str | None = None, cards: str | None = None,
                 refresh: float = REFRESH) -> None:
        super().__init__()
        self.context = context
        self.refresh_every = refresh
        saved = context.load_progress("network")
        from pmwizard.checks.nodeup import rpc_url_of

        self.start_rpc = rpc_url or saved.get("rpc") or rpc_url_of(context.home)
        self.start_cards = cards if cards is not None else saved.get("cards", "")
        self.rounds = 0  # completed refreshes (tests and the status line)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("this node's Tendermint RPC", markup=False)
            yield Input(compact=True, placeholder="http://127.0.0.1:26657", id="rpc")
            yield Static("member cards for names and connections (optional)", markup=False)
            yield Input(compact=True, placeholder="a folder or file of cards", id="cards")
            with Horizontal():
                yield Button("Watch", compact=True, id="watch", variant="primary")
            yield Static("", id="verdict", markup=False)
            yield Static("", id="status", markup=False)
            yield DataTable(id="validators", cursor_type="row", zebra_stripes=True)
            yield FindingList(id="network-findings")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rpc", Input).value = self.start_rpc
        self.query_one("#cards", Input).value = self.start_cards
        table = self.query_one("#validators", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.query_one("#rpc", Input).focus()
        self.timer = self.set_interval(self.refresh_every, self.action_refresh_now, pause=True)

    @on(Button.Pressed, "#watch")
    @on(Input.Submitted)
    def start_watching(self) -> None:  # not `watch`: that name is DOMNode's API for reactive watchers
        self.context.save_progress("network", {"rpc": self.query_one("#rpc", Input).value.strip(),
                                               "cards": self.query_one("#cards", Input).value.strip()})
        self.action_refresh_now()
        self.timer.resume()

    def members(self) -> list:
        from pmwizard.checks.network_run import members_from_cards
        from pmwizard.core.cards import read_cards, usable_cards

        path = self.query_one("#cards", Input).value.strip()
        if path:
            return members_from_cards(usable_cards(read_cards(Path(path).expanduser()), path)[0])
        return self.genesis_members()

    def genesis_members(self) -> list:
        """Without cards: the validator names of the home's installed genesis (as `doctor --network` does)."""
        from pmwizard.checks.network_run import members_from_genesis
        from pmwizard.core.genesis import read_genesis

        genesis = self.context.home / "config" / "genesis.json"
        if not genesis.exists():
            return []
        report = read_genesis(genesis)
        return members_from_genesis(report) if report.valid else []

    def action_refresh_now(self) -> None:
        try:
            members = self.members()
        except PmwizardError as exc:
            self.query_one("#status", Static).update(str(exc))
            return
        self.check(self.query_one("#rpc", Input).value.strip() or self.start_rpc, members)

    @work(exclusive=True, group="network", exit_on_error=False)
    async def check(self, url: str, members: list) -> None:
        from pmwizard.checks.network_run import run_network

        report = await run_network([url], members, nameservers=self.context.nameservers,
                                   timeout=self.context.timeout)
        self.show(report)

    def show(self, report) -> None:
        """Update every widget in place (no remount: the cursor and scroll stay where the operator left them)."""
        self.rounds += 1
        consensus = next((f for f in report.findings if f.check == "network.consensus"), None)
        node = next((f for f in report.findings if f.check == "network.node"), None)
        head = consensus or node
        self.query_one("#verdict", Static).update(
            f"{head.status.value.upper() if head.status != Status.PASS else 'ok'}: {head.message}" if head else "")
        bad = [f for f in report.findings if f.status != Status.PASS]
        self.query_one("#status", Static).update(
            f"{report.checked_at:%H:%M:%S} UTC, {report.rpc_calls} RPC calls in {report.seconds:.2f} s, "
            f"{len(bad)} to look at; refreshes every {self.refresh_every:g} s (F5 now)")
        table = self.query_one("#validators", DataTable)
        rows = [f for f in report.findings if f.check == "network.validator"]
        seen = set()
        for f in rows:
            ev = f.evidence
            key = str(ev.get("address"))
            seen.add(key)
            connected = {True: "yes", False: "NO", None: "?"}[ev.get("connected")]
            cells = (f.target, f"{ev.get('power')} ({ev.get('power_share')})",
                     f"{ev.get('signed')}/{ev.get('commits_read')}", str(ev.get("consecutive_missed")),
                     connected, f"{'ok' if f.status == Status.PASS else f.status.value.upper()} {f.code}")
            if key in table.rows:
                for column, value in zip(COLUMNS, cells, strict=True):
                    table.update_cell(key, column, Text(value))
            else:
                table.add_row(*(Text(c) for c in cells), key=key)
        for gone in [k for k in table.rows if k.value not in seen]:
            table.remove_row(gone)
        listing = self.query_one("#network-findings", FindingList)
        listing.clear_findings()
        listing.by_member = True
        for f in sorted(bad, key=lambda f: [Status.FAIL, Status.ERROR, Status.WARN].index(f.status)):
            listing.add_finding(f)
        listing.flush()

    def action_back(self) -> None:
        self.timer.stop()
        self.app.pop_screen()
