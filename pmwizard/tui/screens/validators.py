"""Change the validator set of a running network: see the live set (the cap a change may have, what must
stay up), check and propose a change (the bundle to send, copyable), vote on an election and watch the tally
stream in. The same core as `pmwizard validators ...`; this screen only presents it. Keyboard only: Tab
between fields, Enter on a button."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from pmwizard.core.shown import visible
from pmwizard.errors import PmwizardError
from pmwizard.tui.context import WizardContext
from pmwizard.tui.widgets.copyable import CopyableText
from pmwizard.tui.widgets.findings import FindingList

FIELDS = [("rpc", "RPC", "this node's Tendermint RPC"), ("api", "API", "this node's Planetmint API"),
          ("cards", "cards", "member cards, for names (folder or file, optional)")]
PROPOSE = [("member", "member", "the member: a card file (add), or a validator's node id"),
           ("power", "power", "its new power (Remove: leaves the set)"),
           ("key_file", "your key file", "this validator's key file (only its path is used)"),
           ("planetmint_bin", "planetmint", "planetmint executable"),
           ("planetmint_config", "its config", "this node's Planetmint config"),
           ("bundle_out", "bundle to", "where the election bundle is written")]


class ValidatorSetScreen(Screen):
    DEFAULT_CSS = """
    ValidatorSetScreen VerticalScroll { padding: 0 1; }
    ValidatorSetScreen Input { margin-bottom: 0; }
    ValidatorSetScreen Horizontal { height: 1; margin: 1 0; }
    ValidatorSetScreen Horizontal Button { margin-right: 2; }
    ValidatorSetScreen .title { text-style: bold; margin-top: 1; }
    ValidatorSetScreen Horizontal.field { margin: 0; }
    ValidatorSetScreen .field Label { width: 14; color: $text-muted; }
    ValidatorSetScreen #set, ValidatorSetScreen #tally, ValidatorSetScreen #status { height: auto; }
    ValidatorSetScreen #bundle { display: none; }
    ValidatorSetScreen #bundle.shown { display: block; }
    """
    BINDINGS: ClassVar = [Binding("escape", "home", "Home")]
    help = ("Show reads the set from this node; Check runs the pre-flight (cap, elections in progress, the new "
            "member's handshake, your key); Propose calls the election and writes the bundle to send; Vote checks "
            "the election against its bundle, approves it and follows the tally.")

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="body"):
            yield Static("The live validator set", classes="title")
            for key, label, hint in FIELDS:
                yield from self.field(key, label, hint)
            with Horizontal():
                yield Button("Show", compact=True, id="show", variant="primary")
            yield Static("", id="set", markup=False)
            yield Static("Propose a change", classes="title")
            for key, label, hint in PROPOSE:
                yield from self.field(key, label, hint)
            with Horizontal():
                yield Button("Check", compact=True, id="check")
                yield Button("Propose", compact=True, id="propose", variant="warning")
                yield Button("Remove", compact=True, id="remove")
            yield FindingList(id="preflight")
            yield CopyableText("", label="Copy the bundle", id="bundle")
            yield Static("Vote on an election", classes="title")
            yield from self.field("election", "election", "the election bundle file, or the election id")
            with Horizontal():
                yield Button("Vote", compact=True, id="vote", variant="primary")
                yield Button("Follow the tally", compact=True, id="follow")
            yield Static("", id="tally", markup=False)
            yield Static("", id="status", markup=False)
        yield Footer()

    def field(self, key: str, label: str, hint: str) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label)
            yield Input(compact=True, placeholder=hint, id=key, tooltip=hint)

    def on_mount(self) -> None:
        c = self.context
        net = c.demo_network
        values = {
            "rpc": net.url if net else "http://127.0.0.1:26657",
            "api": net.url if net else "http://127.0.0.1:9984",
            "cards": str(c.demo_cards[0].parent) if c.demo and c.demo_cards else "",
            "member": str(c.demo_newcomer_card or ""),
            "power": "9" if c.demo else "",
            "key_file": str(c.demo_key_file or c.home / "config" / "priv_validator_key.json"),
            "planetmint_bin": str(net.program) if net else (shutil.which("planetmint") or ""),
            "planetmint_config": str(net.config) if net else str(Path.home() / ".planetmint"),
            "bundle_out": str((c.state_dir.parent if c.demo else Path.cwd()) / "election-bundle.json"),
        }
        for key, value in values.items():
            self.query_one(f"#{key}", Input).value = value
        self.query_one("#rpc", Input).focus()

    def value(self, key: str) -> str:
        return self.query_one(f"#{key}", Input).value.strip()

    def say(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    def names(self) -> dict[str, tuple[str, str]]:
        from pmwizard.core.cards import read_cards

        out: dict[str, tuple[str, str]] = {}
        for path in (self.value("cards"), self.value("member")):
            if path and Path(path).expanduser().exists():
                for c in read_cards(Path(path).expanduser()):
                    if c.card is not None:
                        out[c.card.pub_key] = (c.card.name, c.card.node_id)
        return out

    async def view(self) -> Any:
        from pmwizard.checks.elections import read_view

        return await read_view(self.value("rpc"), self.value("api"), self.names(), timeout=self.context.timeout)

    @on(Button.Pressed, "#show")
    @work(exclusive=True, group="validators", exit_on_error=False)
    async def show(self) -> None:
        try:
            doc = (await self.view()).to_json()
        except PmwizardError as exc:
            self.say(str(exc))
            return
        lines = [f"chain {visible(doc['chain_id'])} at height {doc['height']}: total power {doc['total_power']}"]
        for m in doc["validators"]:
            lines.append(f"  {visible(m['name'] or m['address'][:12]):<22} power {m['power']:>5} "
                         f"{m['share'] * 100:5.1f}%  node {m['node_id'][:12] or '?'}")
        live = doc["liveness"]
        lines.append(f"largest power a change may propose: {doc['largest_allowed_power']}")
        lines.append("every member must stay up" if live["every_member_must_stay_up"] else
                     f"up to {live['power_that_may_be_down']} power may be down")
        lines.extend(f"election in progress: {e['election_id'][:16]}... {e['explanation']}"
                     for e in doc["elections_in_progress"])
        if not doc["elections_in_progress"]:  # (was `extend(...) or append(...)`: appended always)
            lines.append("no election in progress")
        self.query_one("#set", Static).update("\n".join(lines))

    async def _preflight(self, action: str) -> tuple[Any, Any, list[Any]] | None:
        from pmwizard.checks.elections import change_from, preflight

        listing = self.query_one("#preflight", FindingList)
        listing.clear_findings()
        try:
            power = 0 if action == "remove" else int(self.value("power") or "0")
            view = await self.view()
            change = change_from(self.value("member"), action, power, view)
            found = await preflight(view, change, Path(self.value("key_file")).expanduser(), None,  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
                                    self.context.timeout, tuple(self.context.nameservers))
        except ValueError:
            self.say("power: a whole number")
            return None
        except PmwizardError as exc:
            self.say(str(exc))
            return None
        for f in found:
            listing.add_finding(f)
        listing.flush()
        return view, change, found

    @on(Button.Pressed, "#check")
    @work(exclusive=True, group="validators", exit_on_error=False)
    async def check(self) -> None:
        if await self._preflight("add" if Path(self.value("member")).is_file() else "set-power"):  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
            self.say("pre-flight done: select a finding and press Enter for its fix")

    @on(Button.Pressed, "#propose")
    @on(Button.Pressed, "#remove")
    @work(exclusive=True, group="validators", exit_on_error=False)
    async def propose(self, event: Button.Pressed) -> None:
        from pmwizard.checks.elections import propose
        from pmwizard.checks.finding import exit_code
        from pmwizard.checks.planetmint_cli import PlanetmintCli
        from pmwizard.core.plan import Plan

        action = "remove" if event.button.id == "remove" else (
            "add" if Path(self.value("member")).is_file() else "set-power")  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
        checked = await self._preflight(action)
        if checked is None:
            return
        view, change, found = checked
        if exit_code(found):
            self.say("refused by the pre-flight: nothing was proposed (select a finding for its fix)")
            return
        try:
            cli = PlanetmintCli.find(self.value("planetmint_bin"), self.value("planetmint_config") or None)
            self.say("proposing through Planetmint's CLI ...")
            bundle = await propose(view, change, Path(self.value("key_file")).expanduser(), cli)  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
            plan = Plan()
            plan.add(Path(self.value("bundle_out")).expanduser(), bundle.text(),  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
                     notes=(f"election bundle for {bundle.election_id}",))
            written = plan.apply()
        except PmwizardError as exc:
            self.say(str(exc))
            return
        box = self.query_one("#bundle", CopyableText)
        box.set_text(bundle.text())
        box.add_class("shown")
        self.query_one("#election", Input).value = str(written[0].path) if written else bundle.election_id
        self.say(f"proposed: election {bundle.election_id}; bundle written to {self.value('bundle_out')}: send it "
                 f"to every validator (set after SHA-256 {bundle.set_after_sha256[:16]}...)")

    @on(Button.Pressed, "#vote")
    @work(exclusive=True, group="validators", exit_on_error=False)
    async def vote(self) -> None:
        from pmwizard.checks.planetmint_cli import PlanetmintCli
        from pmwizard.checks.voting import cast_vote
        from pmwizard.core.election import resolve_target as resolve

        try:
            eid, bundle = resolve(self.value("election"))
            cli = PlanetmintCli.find(self.value("planetmint_bin"), self.value("planetmint_config") or None)
            self.say(f"waiting for this node to have election {eid[:16]}..., then voting ...")
            out = await cast_vote(self.value("rpc"), self.value("api"), eid, bundle,
                                  Path(self.value("key_file")).expanduser(), cli, 60.0, self.context.timeout)  # noqa: ASYNC240 - expanduser/one stat of a local path on a button press
        except PmwizardError as exc:
            self.say(str(exc))
            return
        self.say(f"refused: {out.refused}" if out.refused else out.result)
        if out.election is not None:
            await self.follow_tally(eid)

    @on(Button.Pressed, "#follow")
    @work(exclusive=True, group="validators", exit_on_error=False)
    async def follow(self) -> None:
        from pmwizard.core.election import resolve_target as resolve

        try:
            eid, _ = resolve(self.value("election"))
        except PmwizardError as exc:
            self.say(str(exc))
            return
        await self.follow_tally(eid)

    async def follow_tally(self, eid: str, seconds: float = 120.0) -> None:
        """Update the tally once a second until the election is no longer ongoing (or `seconds` pass)."""
        import asyncio
        import time

        from pmwizard.checks import network as net

        names = self.names()
        deadline = time.monotonic() + seconds
        tally = self.query_one("#tally", Static)
        while True:
            try:
                e = await net.election(self.value("api"), eid, self.context.timeout)
                if e is None:
                    tally.update(f"election {eid[:16]}...: not on this node yet")
                else:
                    current = await net.planetmint_validators(self.value("api"), self.context.timeout)
                    st = await net.election_state(self.value("rpc"), self.value("api"), e, current,
                                                  self.context.timeout)
                    lines = [f"{st.status}: {st.why}"]
                    for key, power in sorted(e.voters.items(), key=lambda kv: -kv[1]):
                        who = visible(names.get(key, ("", ""))[0] or key[:12])
                        lines.append(f"  {'voted  ' if key in st.tally.votes else 'not yet'}  {who} ({power})")
                    tally.update("\n".join(lines))
                    if st.status != "ongoing":
                        return
            except PmwizardError as exc:
                tally.update(str(exc))
            if time.monotonic() > deadline:
                return
            await asyncio.sleep(1.0)

    def action_home(self) -> None:
        self.app.pop_screen()
