"""What a step is: a scrollable panel with a title, the journey's typed state, and a say on leaving."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker

from pmwizard.core.shown import visible_lines

if TYPE_CHECKING:
    from pmwizard.core.plan import Plan
    from pmwizard.tui.context import WizardContext
    from pmwizard.tui.screens.journey import JourneyScreen
    from pmwizard.tui.state import MemberState


class Step(VerticalScroll):
    """Subclasses set `title`, `short` (the step list's name) and `help`, compose their widgets, and may
    override `entered` and `leave_problem`."""

    DEFAULT_CSS = """
    Step { height: 1fr; padding: 0 1; }
    Step .hint { color: $text-muted; margin-bottom: 1; }
    Step .problem { color: $error; }
    Step .good { color: $success; }
    Step Input { margin: 0 0 1 0; }
    Step Horizontal { height: auto; margin-bottom: 1; }
    Step Button { margin-right: 2; }
    Step Checkbox { margin-bottom: 1; }
    """
    # The panel scrolls when the focus moves into a widget below; as a Tab stop of its own it was an
    # invisible one (nothing on screen shows that the panel has the focus).
    can_focus = False
    title = "step"
    short = ""
    help = ""

    @property
    def journey(self) -> JourneyScreen:
        return self.screen  # type: ignore[return-value]

    @property
    def context(self) -> WizardContext:
        return self.journey.context

    @property
    def state(self) -> Any:
        """The journey's typed state (MemberState, CoordinatorState)."""
        return self.journey.state

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A check that raised says so (the App's one handler), never "checking ..." forever."""
        from pmwizard.tui.app import forward_worker_state

        forward_worker_state(self, event)

    @property
    def data(self) -> Any:
        """Transitional dict-shaped access to the typed state (`self.state.hostname` is the way)."""
        return self.journey.state.as_mapping()

    def entered(self) -> None:
        """Called each time the step is shown."""

    def leave_problem(self) -> str | None:
        """A reason not to go on (shown to the operator), or None."""
        return None

    def focus_first(self) -> None:
        """Put the cursor on the step's first usable widget in reading order (an input, a button, a table),
        so the keyboard alone gets through: Enter then types, presses or picks."""
        for widget in self.screen.focus_chain:
            if self in widget.ancestors:
                widget.focus()
                return

    def say(self, text: str, kind: str = "hint") -> None:
        """Update the step's status line (a Static with id 'status')."""
        status = self.query("#status")
        if status:
            widget = status.first(Static)
            widget.set_classes(kind)
            widget.update(visible_lines(text))  # status lines quote files and peers: escaped, never raw

    async def preview(self, plan: Plan, title: str) -> list[Any]:
        """Show the plan's diff and wait for the operator (call from a worker): the files written
        (core.plan.Written, each with its backup), empty when nothing was. Every write is remembered for
        the member journey's closing summary."""
        from pmwizard.tui.screens.diff_preview import DiffPreviewScreen

        written = await self.app.push_screen_wait(DiffPreviewScreen(plan, title)) or []
        wrote = getattr(self.state, "wrote", None)
        if written and callable(wrote):
            wrote(written)
        return written


class MemberStep(Step):
    """A step of the member journey: its state is a MemberState."""

    @property
    def state(self) -> MemberState:
        return self.journey.state  # type: ignore[return-value]

    def home(self) -> Path:
        return self.context.home
