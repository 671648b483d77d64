"""F1: a help screen (not a toast that wraps and cannot be closed by keyboard): the step's own text first,
then the keys. Scrolls; Esc or F1 closes it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

KEYS = """Keys
  Tab, Shift+Tab   next / previous field or button
  arrows           move in lists; Right or Tab completes a path
  Enter            press the button, do the step's action, open a finding
  Ctrl+N, Ctrl+B   next / back step          Esc   back to the home screen
  Ctrl+P           command palette (journeys, theme)
  Ctrl+Q           quit (progress is kept, never any key)

Every file is shown as a diff before it is written; nothing is written without "Write".
The same steps exist as commands: run `pmwizard --help`."""


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 76; max-width: 100%; height: auto; max-height: 90%;
                            border: thick $accent; background: $surface; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; }
    HelpScreen VerticalScroll { height: auto; max-height: 100%; }
    HelpScreen #help-step { margin-bottom: 1; }
    """
    BINDINGS: ClassVar = [Binding("escape", "close", "Close"), Binding("f1", "close", "Close")]

    def __init__(self, title: str, about: str) -> None:
        super().__init__()
        self.help_title = title
        self.about = about

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Help: {self.help_title}", id="help-title", markup=False)
            with VerticalScroll(id="help-body"):
                if self.about:
                    yield Static(self.about, id="help-step", markup=False)
                yield Static(KEYS, id="help-keys", markup=False)
            yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
