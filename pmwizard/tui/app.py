"""The App is a router: the home screen, and journeys loaded by name when first opened (so startup imports
only what the first screen needs). `make_app` is the one factory for the CLI, the tests and screenshots.

It also holds what every screen shares: F1 help, focus that shows in a 16-colour terminal, and one handler
for worker failures, so a check that raises says so instead of "checking ..." forever."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from pmwizard.core.shown import visible
from pmwizard.tui.context import WizardContext
from pmwizard.tui.screens.home import JOURNEY_TEXT, HomeScreen

JOURNEYS = {
    "member": ("pmwizard.tui.screens.member", "MemberJourney"),
    "coordinator": ("pmwizard.tui.screens.coordinator", "CoordinatorJourney"),
    "troubleshoot": ("pmwizard.tui.screens.troubleshoot", "TroubleshootScreen"),
    "validators": ("pmwizard.tui.screens.validators", "ValidatorSetScreen"),
}

HOME_HELP = ("Choose a journey with the arrows and Enter. Set up my node: keys, name, certificate, your card, "
             "then the coordinator's genesis, every config file, the start and a final check. Form a network: "
             "the coordinator's side. Troubleshoot: checks one host or every member. Change the validator set: "
             "a running network's members join or leave by election.")


class WizardApp(App[int]):
    TITLE = "pmwizard"
    SUB_TITLE = "Planetmint node setup"
    # Focus as reverse video as well as colour: themes tint the focused widget's background, which a
    # 16-colour terminal may not show at all.
    CSS = """
    Button:focus { text-style: bold reverse; }
    Checkbox:focus > .toggle--label { text-style: bold reverse; }
    OptionList:focus > .option-list--option-highlighted { text-style: bold reverse; }
    DataTable:focus > .datatable--cursor { text-style: bold reverse; }
    """
    BINDINGS: ClassVar = [Binding("f1", "help", "Help"), Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self.context = context

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())

    def open_journey(self, name: str) -> Screen:
        """Open a journey over the home screen; one opened from the palette replaces the journey on screen
        (Esc then leads home, not through every journey opened before)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        module, cls = JOURNEYS[name]
        screen = getattr(importlib.import_module(module), cls)(self.context)
        self.push_screen(screen)
        return screen

    def action_help(self) -> None:
        """The step on screen first (its title and text), then the keys."""
        from pmwizard.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        step = getattr(self.screen, "step", None)
        if step is not None:
            title, about = step.title, step.help
        else:
            title = getattr(self.screen, "help_title", "pmwizard")
            about = getattr(self.screen, "help_text", HOME_HELP)
        self.push_screen(HelpScreen(title, about))

    @on(Worker.StateChanged)
    def worker_failed(self, event: Worker.StateChanged) -> None:
        """Any worker's exception becomes a visible error: on the status line of the step (or screen) that
        started it, and as a notification. Worker.StateChanged does not bubble: steps and screens that
        start workers hand theirs here (see `forward_worker_state`)."""
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        text = f"could not finish: {visible(str(error) or type(error).__name__)}"
        node = event.worker.node
        say = getattr(node, "say", None)
        if callable(say):
            say(text, "problem")
        elif hasattr(node, "query"):
            for status in node.query("#status").results(Static):
                status.update(text)
        self.notify(text, severity="error", markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key, name, text in JOURNEY_TEXT:
            yield SystemCommand(f"Journey: {name}", text, lambda k=key: self.open_journey(k))


def forward_worker_state(node: object, event: Worker.StateChanged) -> None:
    """For a step's or a screen's `on_worker_state_changed`: let the App's one handler see it."""
    app = getattr(node, "app", None)
    if isinstance(app, WizardApp):
        app.worker_failed(event)


def make_app(context: WizardContext) -> WizardApp:
    return WizardApp(context)
