"""`pmwizard` with no subcommand: build the context (or the demo sandbox) and run the wizard."""

from __future__ import annotations


def run_wizard(home: str | None = None, demo: bool = False) -> int:
    from pmwizard.tui.app import make_app
    from pmwizard.tui.context import WizardContext

    if demo:
        from pmwizard.demo import Sandbox

        with Sandbox(handle_signals=True) as sandbox:
            return make_app(sandbox.context).run() or 0
    return make_app(WizardContext.for_home(home)).run() or 0
