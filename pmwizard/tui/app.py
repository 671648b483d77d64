"""The App is a router: the home screen, and journeys loaded by name when first opened (so startup imports
only what the first screen needs). `make_app` is the one factory for the CLI, the tests and screenshots."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pmwizard.tui.context import WizardContext
from pmwizard.tui.screens.home import JOURNEY_TEXT, HomeScreen

JOURNEYS = {
    "member": ("pmwizard.tui.screens.member", "MemberJourney"),
    "coordinator": ("pmwizard.tui.screens.coordinator", "CoordinatorJourney"),
    "troubleshoot": ("pmwizard.tui.screens.troubleshoot", "TroubleshootScreen"),
    "validators": ("pmwizard.tui.screens.validators", "ValidatorSetScreen"),
}

HELP = """pmwizard keys
  arrows, Tab     move between fields and buttons      Enter  choose / press
  Ctrl+N, Ctrl+B  next / back step                      Esc    back to the home screen
  Ctrl+P          command palette (journeys, theme)     Ctrl+Q quit (progress is kept)
A finding: select it and press Enter (or click) to open its fix and evidence.
Every file is shown as a diff before it is written; nothing is written without "Write".
The same steps exist as commands: run `pmwizard --help`."""


class WizardApp(App[int]):
    TITLE = "pmwizard"
    SUB_TITLE = "Planetmint node setup"
    BINDINGS: ClassVar = [Binding("f1", "help", "Help"), Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self.context = context

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())

    def open_journey(self, name: str) -> Screen:
        module, cls = JOURNEYS[name]
        screen = getattr(importlib.import_module(module), cls)(self.context)
        self.push_screen(screen)
        return screen

    def action_help(self) -> None:
        """The keys, and what the step on screen does when it says more than its own text."""
        step = getattr(self.screen, "step", None)
        about = getattr(step, "help", "")
        self.notify(HELP + (f"\n\nThis step: {about}" if about else ""), title="Help", timeout=15, markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, name, text in JOURNEY_TEXT:
            yield SystemCommand(f"Journey: {name}", text, lambda k=key: self.open_journey(k))


def make_app(context: WizardContext) -> WizardApp:
    return WizardApp(context)
