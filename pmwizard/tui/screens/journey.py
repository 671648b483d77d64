"""A journey: steps shown one at a time with Back/Next beside a list of every step (where you are, what is
done), progress saved after each move."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, Header, Static

from pmwizard.tui.context import WizardContext
from pmwizard.tui.state import JourneyState
from pmwizard.tui.steps.base import Step


class JourneyScreen(Screen):
    DEFAULT_CSS = """
    JourneyScreen #where { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    JourneyScreen #nav { height: 1; padding: 0 1; }
    JourneyScreen #nav Button { margin-right: 2; }
    JourneyScreen #body { height: 1fr; }
    JourneyScreen #step-list { width: 16; height: 100%; padding: 0 0 0 1; border-right: vkey $primary; }
    JourneyScreen ContentSwitcher { height: 1fr; width: 1fr; }
    """
    BINDINGS: ClassVar = [Binding("ctrl+n", "next", "Next"), Binding("ctrl+b", "back", "Back"),
                          Binding("escape", "home", "Home")]
    journey_name = "journey"
    journey_title = "Journey"
    state_class: ClassVar[type[JourneyState]] = JourneyState
    step_classes: ClassVar[list[type[Step]]] = []

    def __init__(self, context: WizardContext) -> None:
        super().__init__()
        self.context = context
        self.state = self.state_class.from_progress(context.load_progress(self.journey_name))
        self.index = max(0, min(self.state.step, len(self.step_classes) - 1))
        self.reached = self.index  # the furthest step reached: those before it count as done

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="where", markup=False)
        with Horizontal(id="body"):
            yield Static("", id="step-list", markup=False)
            with ContentSwitcher(initial=f"step-{self.index}"):
                for i, cls in enumerate(self.step_classes):
                    yield cls(id=f"step-{i}")
        with Horizontal(id="nav"):
            yield Button("< Back", compact=True, id="back")
            yield Button("Next >", compact=True, id="next", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.show_step(self.index)

    def on_unmount(self) -> None:
        """Quitting keeps the progress: the next start resumes at this step."""
        self.save()

    def save(self) -> None:
        self.context.save_progress(self.journey_name, self.state.progress())

    @property
    def step(self) -> Step:
        return self.query_one(f"#step-{self.index}", Step)

    def step_list(self) -> str:
        """One line per step: a tick for a step left forward, an arrow for this one."""
        lines = []
        for i, cls in enumerate(self.step_classes):
            mark = ">" if i == self.index else ("✓" if i < self.reached or i < self.index else " ")
            lines.append(f"{mark} {cls.short or cls.title}"[:14])
        return "\n".join(lines)

    def show_step(self, index: int) -> None:
        self.index = index
        self.reached = max(self.reached, index)
        self.query_one(ContentSwitcher).current = f"step-{index}"
        step = self.step
        self.query_one("#where", Static).update(
            f"{self.journey_title}: step {index + 1} of {len(self.step_classes)}, {step.title}")
        self.query_one("#step-list", Static).update(self.step_list())
        self.query_one("#back", Button).disabled = index == 0
        last = index == len(self.step_classes) - 1
        self.query_one("#next", Button).label = "Finish" if last else "Next >"
        self.state.step = index
        self.save()
        step.entered()
        step.focus_first()

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        problem = self.step.leave_problem()
        if problem:
            self.notify(problem, severity="warning", markup=False)
            return
        if self.index == len(self.step_classes) - 1:
            self.state.step = 0
            self.save()
            self.app.pop_screen()
            return
        self.show_step(self.index + 1)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        if self.index > 0:
            self.show_step(self.index - 1)

    def action_home(self) -> None:
        self.save()
        self.app.pop_screen()
