"""Member step 5: join: the coordinator's genesis.json verified (Tendermint's rules, this node's validator
present, the fingerprint to compare), and the member cards that give the peers, each of which can be
verified over Tendermint's own P2P handshake (its real node ID and chain)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.core.shown import visible_lines
from pmwizard.errors import PmwizardError
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.findings import FindingList
from pmwizard.tui.widgets.pathinput import PathInput

if TYPE_CHECKING:
    from pmwizard.core.genesis import GenesisReport

REFUSED_NOTE = ("A peer your node is already connected to may close the probe (Tendermint refuses a second "
                "connection from the same IP): that shows as 'refused', a warning, not a fault.")


def refused_note(found: list) -> str:
    """REFUSED_NOTE on a line of its own when a handshake was closed the way Tendermint closes a second
    connection from one IP (the 'refused' warning), else nothing."""
    closed = any(f.check == "p2p.handshake" and f.code == "refused" and f.status.value == "warn" for f in found)
    return "\n" + REFUSED_NOTE if closed else ""


class JoinStep(MemberStep):
    title = "join: the network's genesis"
    short = "Join"
    help = ("Check peers dials each member's P2P port and runs Tendermint's handshake: it proves the node ID "
            "behind host:port and reads the chain it runs, sending nothing about this node. " + REFUSED_NOTE)

    def compose(self) -> ComposeResult:
        yield Static("The genesis.json the coordinator sent, and the members' cards (a folder or files):",
                     classes="hint")
        yield PathInput(placeholder="path to genesis.json", id="genesis")
        yield PathInput(placeholder="folder of member cards (for the peers line)", id="cards")
        yield Input(compact=True, placeholder="or a running network: a member's RPC URL", id="network-rpc")
        with Horizontal():
            yield Button("Take the genesis from that member", compact=True, id="from-rpc")
        if self.context.demo:
            with Horizontal():
                yield Button("Demo: let the demo coordinator make one", compact=True, id="demo-genesis")
        yield Static("", id="status", markup=False)
        yield Static("", id="fingerprint", markup=False)
        yield Static("", id="peers", markup=False)
        with Horizontal():
            yield Button("Check peers", compact=True, id="check-peers", variant="primary")
        yield Static("", id="peer-status", markup=False)
        yield FindingList(id="peer-findings")

    report: GenesisReport | None = None  # the genesis verdict on screen (None: none read yet)

    def entered(self) -> None:
        self.report = None
        self.peer_cards: list = []
        genesis, cards = self.query_one("#genesis", Input), self.query_one("#cards", Input)
        genesis.value = genesis.value or self.state.genesis_file
        cards.value = cards.value or self.state.cards_path
        rpc = self.query_one("#network-rpc", Input)
        rpc.value = rpc.value or self.state.network_rpc
        self.verify()

    @on(Input.Changed, "#genesis, #cards")
    def changed(self, event: Input.Changed) -> None:
        if event.input.id == "genesis":
            self.state.genesis_file = event.value.strip()
        else:
            self.state.cards_path = event.value.strip()
        self.verify()

    @on(Input.Changed, "#network-rpc")
    def network_changed(self, event: Input.Changed) -> None:
        self.state.network_rpc = event.value.strip()

    def verify(self) -> None:
        """Decoding a genesis of many validators and reading a folder of cards runs off the event loop; a
        newer keystroke cancels the older check (exclusive)."""
        self.report = None
        if not self.state.genesis_file:
            self.say("type the genesis file's path")
            return
        self.verify_files(self.state.genesis_file, self.state.cards_path)

    @work(exclusive=True, group="join", exit_on_error=False)
    async def verify_files(self, genesis_file: str, cards_path: str) -> None:
        from pmwizard.core.cards import read_cards
        from pmwizard.core.genesis import read_genesis
        from pmwizard.core.keys import load_identity

        try:
            report = await asyncio.to_thread(lambda: read_genesis(Path(genesis_file).expanduser()))
            ident = load_identity(self.home())
        except PmwizardError as exc:
            self.say(visible_lines(str(exc)), "problem")
            return
        checks = await asyncio.to_thread(lambda: read_cards(Path(cards_path).expanduser())) if cards_path else []
        self.state._fingerprint = report.sha256
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
        self.say(visible_lines("\n".join(lines + list(report.warnings))), "good" if mine else "problem")
        self.show_peers(cards_path, checks)

    def show_peers(self, cards_path: str, checks: list) -> None:
        widget = self.query_one("#peers", Static)
        self.peer_cards = []
        if not cards_path:
            widget.update("no cards given: persistent_peers stays as it is")
            return
        self.peer_cards = [c.card for c in checks if c.valid and c.card]
        lines = [f"{'ok ' if c.valid else 'BAD'} {c.card.name if c.card else c.source}"
                 + (f"  {c.card.peer}" if c.card else f"  {c.errors[0] if c.errors else ''}") for c in checks]
        widget.update(visible_lines("peers from the cards:\n" + "\n".join(lines)))

    @on(Button.Pressed, "#from-rpc")
    @work(exclusive=True, group="genesis", exit_on_error=False)
    async def from_rpc(self) -> None:
        """A running network's genesis as launched (never edited), from a member's RPC, through the preview;
        this node then joins as a full node until a validator election adds it."""
        from pmwizard.checks import network as net
        from pmwizard.core.join import genesis_from_rpc_doc
        from pmwizard.core.plan import Plan

        url = self.state.network_rpc
        try:
            data = genesis_from_rpc_doc(await net.genesis(url, self.context.timeout), url)
        except PmwizardError as exc:
            self.say(str(exc), "problem")
            return
        target = self.context.state_dir / "genesis-from-network.json"
        plan = Plan()
        plan.add(target, data, notes=(f"the running network's genesis, from {url}/genesis",))
        if await self.preview(plan, "The running network's genesis"):
            self.query_one("#genesis", Input).value = str(target)

    @on(Button.Pressed, "#demo-genesis")
    @work(exclusive=True, group="demo-genesis", exit_on_error=False)
    async def demo_genesis(self) -> None:
        """The demo only: the coordinator's part done for you (this node and the three demo members), written
        beside the sandbox's cards through the usual preview."""
        from pmwizard.core.cards import export_card, read_cards
        from pmwizard.core.genesis import new_genesis
        from pmwizard.core.plan import Plan

        folder = self.context.demo_cards[0].parent
        try:
            own = export_card(self.home(), self.state.hostname or self.context.sample_hostname,
                              name=self.state.name or None, p2p_port=self.state.p2p_port)
        except PmwizardError as exc:
            self.say(f"{exc} (create the keys in step 1 first)", "problem")
            return
        members = [c.card for c in read_cards(folder) if c.valid and c.card]
        target = folder.parent / "genesis.json"
        plan = Plan()
        plan.add(target, new_genesis([own, *members], chain_id=self.context.demo_chain_id or "demo-chain"),
                 notes=("what a coordinator would send you: this node and the three demo members",))
        if await self.preview(plan, "The demo network's genesis"):
            self.query_one("#cards", Input).value = str(folder)
            self.query_one("#genesis", Input).value = str(target)

    @on(Button.Pressed, "#check-peers")
    def check_peers(self) -> None:
        from pmwizard.core.keys import load_identity

        report = getattr(self, "report", None)
        cards = getattr(self, "peer_cards", [])
        if report is None or not report.valid or not cards:
            self.say_peers("give a valid genesis.json and the members' cards first", "problem")
            return
        try:
            own = load_identity(self.home()).node_id
        except PmwizardError as exc:
            self.say_peers(str(exc), "problem")
            return
        peers = [c for c in cards if c.node_id != own]
        if not peers:
            self.say_peers("the cards name no node but this one: nothing to check", "problem")
            return
        listing = self.query_one("#peer-findings", FindingList)
        listing.clear_findings()
        listing.by_member = True
        self.handshake_peers(peers, report.chain_id)

    @work(exclusive=True, group="peers", exit_on_error=False)
    async def handshake_peers(self, peers: list, chain_id: str | None) -> None:
        from pmwizard.checks.doctor import handshake_member, member_targets, run_doctor

        self.say_peers(f"handshaking with {len(peers)} peer(s) ...")
        listing = self.query_one("#peer-findings", FindingList)
        found = await run_doctor(member_targets(peers), chain_id=chain_id, nameservers=self.context.nameservers,
                                 timeout=self.context.timeout, checks=[("p2p.handshake", handshake_member)],
                                 on_finding=listing.add_finding)
        listing.flush()
        bad = [f for f in found if f.status.value in ("fail", "error")]
        text = (f"{len(bad)} of {len(found)} peer(s) need attention; select one and press Enter for the fix"
                if bad else f"all {len(found)} peer(s) are the nodes their cards name, on chain {chain_id}")
        self.say_peers(text + refused_note(found), "problem" if bad else "good")
        listing.scroll_visible()

    def say_peers(self, text: str, kind: str = "hint") -> None:
        """The handshake's verdict, below its button (the genesis verdict above stays as it was)."""
        status = self.query_one("#peer-status", Static)
        status.set_classes(kind)
        status.update(visible_lines(text))

    def leave_problem(self) -> str | None:
        if self.report is None or not self.report.valid:
            return "a valid genesis.json is needed to configure the node"
        return None
