"""Member step 8: start the node: the exact commands (Monit starts Tarantool, Planetmint and Tendermint and
restarts them when they stop), run when the operator asks, then the node watched as it comes up: the RPC
answering, peers connected, the first blocks (or catching up), Planetmint's API answering."""

from __future__ import annotations

import asyncio
import shlex
import shutil
import time
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from pmwizard.core.shown import for_shell, visible_lines
from pmwizard.tui.steps.base import MemberStep
from pmwizard.tui.widgets.copyable import CopyableText

WATCH_SECONDS = 120.0
POLL = 1.0


class StartStep(MemberStep):
    title = "start the node"
    short = "Start"
    help = ("`monit -c <folder>/monitrc -d 1` starts Monit in the background; it starts Tarantool, then "
            "Planetmint, then Tendermint (each depends on the one before) and restarts any that stops. "
            "'Start the node' runs exactly the commands shown; 'Watch' only reads the node's RPC "
            "(/status, /net_info) and API, for a node started by hand. A node is up when it has peers and "
            "its block height grows.")

    def compose(self) -> ComposeResult:
        yield Static("The commands that start this node (Monit keeps all three running):", classes="hint")
        yield CopyableText(id="commands", label="Copy the commands")
        with Horizontal():
            yield Button("Start the node", compact=True, id="start", variant="primary")
            yield Button("Watch", compact=True, id="watch")
        yield Static("", id="status", markup=False)
        yield Static("", id="progress", markup=False)

    def folder(self) -> Path:
        from pmwizard.render.monit import DEFAULT_DIR

        return Path(self.context.services_folder or DEFAULT_DIR).expanduser().absolute()

    def monit(self) -> str:
        return self.state.monit_bin or shutil.which("monit") or "monit"

    def commands(self) -> list[list[str]]:
        """What 'Start' runs: Monit in the background with pmwizard's monitrc, then its status."""
        rc = str(self.folder() / "monitrc")
        return [[self.monit(), "-c", rc, "-d", "1"], [self.monit(), "-c", rc, "summary"]]

    def entered(self) -> None:
        rc = self.folder() / "monitrc"
        text = "\n".join(" ".join(for_shell(a) for a in cmd) for cmd in self.commands())
        self.query_one("#commands", CopyableText).set_text(text)
        if rc.exists():
            self.say("Start runs these commands; Watch reads the node's RPC and API.")
        else:
            self.say(visible_lines(f"{rc} is not written yet: preview the service files in the configure step "
                             "(or start Tarantool, Planetmint and Tendermint yourself, then Watch)"), "problem")

    @on(Button.Pressed, "#start")
    @work(exclusive=True, group="start", exit_on_error=False)
    async def start(self) -> None:
        rc = self.folder() / "monitrc"
        if not rc.exists():
            self.say(visible_lines(f"{rc} is not written yet: preview the service files in the configure step"),
                     "problem")
            return
        for cmd in self.commands():
            self.say(visible_lines("running: " + " ".join(shlex.quote(a) for a in cmd)))
            proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT, start_new_session=True)
            out, _ = await asyncio.wait_for(proc.communicate(), 60)
            if proc.returncode != 0:
                self.say(visible_lines(f"{cmd[0]} exited with {proc.returncode}: "
                                 f"{out.decode('utf-8', 'replace').strip()[-400:]}"), "problem")
                return
        self.watch_node()

    @on(Button.Pressed, "#watch")
    def watch_pressed(self) -> None:  # not `watch`: that is Textual's own method for reactive attributes
        self.watch_node()

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def watch_node(self, seconds: float | None = None) -> None:
        """Poll until the node has peers and its height has grown while not catching up (up), or time is out."""
        from pmwizard.checks.nodeup import look, rpc_url_of

        seconds = seconds or WATCH_SECONDS
        rpc = rpc_url_of(self.home())
        # Planetmint's API where the service files put it (--api-port), else its default
        api = f"http://127.0.0.1:{self.context.service_ports.get('api', 9984)}/"
        progress = self.query_one("#progress", Static)
        first_height: int | None = None
        deadline = time.monotonic() + seconds
        self.say(f"watching the node (RPC {rpc}) ...")
        while True:
            now = await look(rpc, api, timeout=min(2.0, self.context.timeout))
            progress.update(visible_lines("\n".join(now.lines())))
            if now.rpc_up and first_height is None:
                first_height = now.height
            grew = now.rpc_up and first_height is not None and (now.height or 0) > first_height
            if now.rpc_up and (now.peers or 0) > 0 and grew and not now.catching_up:
                self.say(f"the node is up: {now.peers} peer(s), new blocks (height {now.height})"
                         + ("" if now.api_up else "; Planetmint's API is not answering yet"),
                         "good" if now.api_up else "hint")
                return
            if time.monotonic() > deadline:
                why = ("the RPC does not answer: see ~/.planetmint-monit/logs" if not now.rpc_up else
                       "no peers connected: check the peers line and their P2P ports (Troubleshoot)"
                       if not now.peers else "catching up with the network" if now.catching_up else
                       "no new block: fewer than 2/3 of the voting power is online")
                self.say(f"not up after {seconds:.0f} s: {why}", "problem")
                return
            await asyncio.sleep(POLL)
