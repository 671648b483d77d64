"""This node's catch-up after joining a running network: its height against the network's, once a second,
until Tendermint says it is no longer catching up. The reading is pmwizard.checks.network's; this widget
only shows it."""

from __future__ import annotations

import asyncio
import time

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, ProgressBar, Static

from pmwizard.core.shown import visible


class CatchUp(Vertical):
    DEFAULT_CSS = """
    CatchUp { height: auto; margin-top: 1; }
    CatchUp Horizontal { height: 1; margin: 1 0 0 0; }
    CatchUp #catchup-status { height: auto; }
    """

    def __init__(self, network_rpc: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.network_rpc = network_rpc

    def compose(self) -> ComposeResult:
        yield Input("http://127.0.0.1:26657", compact=True, placeholder="this node's RPC", id="own-rpc")
        yield Input(self.network_rpc, compact=True, placeholder="a member's RPC (the network's height)",
                    id="network-rpc")
        with Horizontal():
            yield Button("Follow the catch-up", compact=True, id="follow-catchup")
        yield ProgressBar(total=None, show_eta=False, id="catchup-bar")
        yield Static("", id="catchup-status", markup=False)

    def network_from(self, url: str) -> None:
        """The member RPC the join step took the genesis from, unless one was typed here."""
        box = self.query_one("#network-rpc", Input)
        if url and not box.value:
            box.value = url

    @on(Button.Pressed, "#follow-catchup")
    def start(self) -> None:
        self.follow(self.query_one("#own-rpc", Input).value.strip(),
                    self.query_one("#network-rpc", Input).value.strip())

    @work(exclusive=True, group="catchup", exit_on_error=False)
    async def follow(self, own: str, network: str, seconds: float = 600.0) -> bool:
        from pmwizard.checks import network as net

        status = self.query_one("#catchup-status", Static)
        bar = self.query_one("#catchup-bar", ProgressBar)
        deadline = time.monotonic() + seconds
        while True:
            try:
                mine = await net.status(own, 5.0)
                theirs = (await net.status(network, 5.0)).height if network else None
            except net.NetworkTrouble as exc:
                status.update(f"waiting: {visible(exc)}")
            else:
                total = max(theirs or mine.height, 1)
                bar.update(total=total, progress=min(mine.height, total))
                done = not mine.catching_up and (theirs is None or mine.height + 2 >= theirs)
                status.update(f"height {mine.height}" + (f" of {theirs}" if theirs is not None else "")
                              + (": caught up" if done else " (catching up)"))
                if done:
                    return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(1.0)
