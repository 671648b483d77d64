"""Every file a step would write, as a coloured unified diff; the operator accepts or skips each one.
Nothing is written until "Write" is pressed; then only the accepted files, and the result (written,
backup path) is shown. Dismisses with what was written (core.plan.Written: path and backup), or None.
The write runs in a thread: fsync on a slow disk must not freeze the screen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Static
from textual.worker import Worker

from pmwizard.core.plan import Plan, Written
from pmwizard.core.shown import visible_lines
from pmwizard.errors import PmwizardError


def coloured_diff(text: str) -> Text:
    """The diff in colour; a line carrying a control character (a genesis or card can) is shown escaped."""
    out = Text()
    for line in visible_lines(text).splitlines(keepends=True):
        style = ""
        if line.startswith("#"):
            style = "italic"
        elif line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        out.append(line, style=style)
    return out


class DiffPreviewScreen(ModalScreen[list[Written] | None]):
    DEFAULT_CSS = """
    DiffPreviewScreen { align: center middle; }
    DiffPreviewScreen > Vertical { width: 100%; height: 100%; border: thick $accent; background: $surface; }
    DiffPreviewScreen #files { height: 1fr; }
    DiffPreviewScreen .file { height: auto; margin-bottom: 1; }
    DiffPreviewScreen .diff { height: auto; padding: 0 1; }
    DiffPreviewScreen #buttons { height: 1; }
    DiffPreviewScreen #buttons Button { margin-right: 2; }
    DiffPreviewScreen #result { height: auto; max-height: 8; color: $success; }
    DiffPreviewScreen #result.error { color: $error; }
    """
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel"), Binding("ctrl+w", "write", "Write accepted")]

    def __init__(self, plan: Plan, title: str = "Review the changes") -> None:
        super().__init__()
        self.plan = plan
        self.title_text = title
        self.written: list[Written] | None = None

    def compose(self) -> ComposeResult:
        pending = self.plan.pending
        with Vertical():
            yield Static(f"{self.title_text}: {len(pending)} file(s). Untick a file to skip it.", id="title",
                         markup=False)
            with VerticalScroll(id="files"):
                if not pending:
                    yield Static("Nothing to change: the files already say this.")
                for i, change in enumerate(pending):
                    plus, minus = change.counts()
                    state = "new file" if change.is_new else f"+{plus} -{minus}"
                    with Vertical(classes="file"):
                        yield Checkbox(Text(f"write {change.path} ({state})"), value=True, id=f"accept-{i}")
                        yield Static(coloured_diff(change.diff()), classes="diff")
            yield Static("", id="result", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Write accepted files", compact=True, id="write", variant="success", disabled=not pending)
                yield Button("Cancel", compact=True, id="cancel", variant="error")
            yield Footer()

    def accepted(self) -> list[Path]:
        return [c.path for i, c in enumerate(self.plan.pending) if self.query_one(f"#accept-{i}", Checkbox).value]

    @on(Button.Pressed, "#write")
    def action_write(self) -> None:
        if self.written is not None:
            return
        chosen = self.accepted()
        result = self.query_one("#result", Static)
        if not chosen:
            result.update("No file accepted: nothing was written.")
            return
        self.query_one("#write", Button).disabled = True
        self.write_files(chosen)

    @work(exclusive=True, group="apply", exit_on_error=False)
    async def write_files(self, chosen: list[Path]) -> None:
        result = self.query_one("#result", Static)
        state = getattr(self.app, "context", None)
        try:
            done = await asyncio.to_thread(self.plan.apply, only=chosen,
                                           state=state.state_dir if state is not None else None)
        except PmwizardError as exc:  # refused before the first write
            result.add_class("error")
            result.update(visible_lines(f"Nothing was written: {exc}"))
            self.query_one("#write", Button).disabled = False
            return
        except OSError as exc:  # may stop after some files were replaced: the journal knows which
            from pmwizard.core.safeio import os_error_text

            result.add_class("error")
            result.update(visible_lines(f"Writing stopped: {os_error_text(exc.filename or '', exc)}. Files "
                                        "replaced before that are put back by `pmwizard undo --yes`."))
            self.query_one("#write", Button).disabled = False
            return
        self.written = done
        lines = [f"wrote {w.path}" + (f" (previous kept as {w.backup.name})" if w.backup else "") for w in done]
        result.update("\n".join(lines) or "nothing to change")
        button = self.query_one("#write", Button)
        button.label, button.disabled = "Written", True
        self.query_one("#cancel", Button).label = "Close"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from pmwizard.tui.app import forward_worker_state

        forward_worker_state(self, event)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(self.written)
