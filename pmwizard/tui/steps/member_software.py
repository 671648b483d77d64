"""Member step 2: the software a Planetmint 2.5 node runs (Tendermint/CometBFT 0.34.x, Planetmint 2.5,
Tarantool, Monit, NGINX): found, versions shown, and a path field for each, because the service files need
absolute paths and Planetmint usually lives in a virtual environment, not on PATH."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.findings import FindingList
from pmwizard.tui.widgets.pathinput import PathInput

FIELDS = (("tendermint", "tendermint or cometbft binary (0.34.x)"),
          ("planetmint", "planetmint executable, e.g. ~/venv/bin/planetmint"),
          ("tarantool", "tarantool executable"),
          ("monit", "monit executable"))


class SoftwareStep(MemberStep):
    title = "software: versions and paths"
    short = "Software"
    help = ("Planetmint 2.5 runs with Tendermint/CometBFT 0.34.x (not 0.37 or 0.38), Tarantool 2.x on port "
            "3303, and Monit to keep both running; NGINX serves HTTPS in front of the API. Leave a field "
            "empty to use the program on PATH; give the full path when it is in a virtual environment "
            "(Monit runs programs with a minimal PATH, so the service files hold absolute paths).")

    def compose(self) -> ComposeResult:
        yield Static("The programs this node runs; a path where one is not on PATH (Tab completes):",
                     classes="hint")
        for key, placeholder in FIELDS:
            yield PathInput(placeholder=placeholder, id=f"{key}-bin")
        with Horizontal():
            yield Button("Check the software", compact=True, id="check-software", variant="primary")
        yield Static("", id="status", markup=False)
        yield FindingList(id="software-findings")

    def entered(self) -> None:
        for key, _ in FIELDS:
            box = self.query_one(f"#{key}-bin", Input)
            if not box.value:
                box.value = getattr(self.state, f"{key}_bin")
        self.check()

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        key = (event.input.id or "").removesuffix("-bin")
        if key in dict(FIELDS):
            setattr(self.state, f"{key}_bin", event.value.strip())

    @on(Button.Pressed, "#check-software")
    @on(Input.Submitted)
    def check(self) -> None:
        self.query_one("#software-findings", FindingList).clear_findings()
        given = dict(self.context.demo_programs)  # the demo's stand-ins (nginx has no field)
        given.update({key: getattr(self.state, f"{key}_bin") for key, _ in FIELDS if getattr(self.state, f"{key}_bin")})
        self.run_check(given)

    @work(exclusive=True, group="software", exit_on_error=False)
    async def run_check(self, given: dict[str, str]) -> None:
        from pmwizard.checks.software import check_software, paths_found

        self.say("looking for the programs ...")
        found = await asyncio.to_thread(check_software, given)
        listing = self.query_one("#software-findings", FindingList)
        for f in found:
            listing.add_finding(f)
        listing.flush()
        for key, path in paths_found(found).items():  # what was found on PATH fills its field
            if key in dict(FIELDS) and not getattr(self.state, f"{key}_bin"):
                setattr(self.state, f"{key}_bin", path)
                self.query_one(f"#{key}-bin", Input).value = path
        bad = [f for f in found if f.status.value in ("fail", "error")]
        self.say(f"{len(bad)} program(s) missing or the wrong version: open one for what to install" if bad
                 else "every program Planetmint 2.5 needs is here", "problem" if bad else "good")
