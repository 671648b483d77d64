"""The first screen: the three journeys and what each is for."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

JOURNEY_TEXT = [
    ("member", "Set up my node",
     ("Keys, domain and certificate checked live, your member card to send, then the coordinator's genesis "
      "and every config file, previewed.")),
    ("coordinator", "Form a network",
     "Import the members' cards, review them, choose the chain id, write genesis.json and the peers line."),
    ("troubleshoot", "Troubleshoot",
     "Peers don't connect? HTTPS broken? Check DNS, TLS, P2P, API and RPC for one host or every member."),
    ("validators", "Change the validator set",
     "A running network: add or remove a member by election, vote on one, and follow the tally."),
]


class HomeScreen(Screen):
    DEFAULT_CSS = """
    HomeScreen Vertical { padding: 1 2; }
    HomeScreen #intro { margin-bottom: 1; }
    HomeScreen OptionList { height: auto; max-height: 16; }
    HomeScreen #where { color: $text-muted; margin-top: 1; }
    """

    def compose(self) -> ComposeResult:
        ctx = self.app.context  # type: ignore[attr-defined]
        yield Header()
        with Vertical():
            yield Static("pmwizard: join or form a Planetmint network. Choose a journey (arrows + Enter):",
                         id="intro")
            options: list[Option | None] = []  # None: a separator line
            for key, name, text in JOURNEY_TEXT:
                options.append(Option(f"[b]{name}[/b]\n  {text}", id=key))
                options.append(None)
            yield OptionList(*options[:-1], id="journeys")
            demo = "  (demo sandbox: nothing outside it is touched)" if ctx.demo else ""
            yield Static(f"Tendermint home: {ctx.home}{demo}", id="where", markup=False)
        yield Footer()

    @on(OptionList.OptionSelected)
    def open(self, event: OptionList.OptionSelected) -> None:
        self.app.open_journey(event.option.id)  # type: ignore[attr-defined]
