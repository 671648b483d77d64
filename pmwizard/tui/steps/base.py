"""What a step is: a scrollable panel with a title, shared journey data, and a say on leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.widgets import Static

from pmwizard.core.shown import visible_lines

if TYPE_CHECKING:
    from pmwizard.tui.context import WizardContext
    from pmwizard.tui.screens.journey import JourneyScreen


class Step(VerticalScroll):
    """Subclasses set `title` and `help`, compose their widgets, and may override `entered` and `leave_problem`."""

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
    title = "step"
    help = ""

    @property
    def journey(self) -> JourneyScreen:
        return self.screen  # type: ignore[return-value]

    @property
    def context(self) -> WizardContext:
        return self.journey.context

    @property
    def data(self) -> dict[str, Any]:
        return self.journey.data

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
