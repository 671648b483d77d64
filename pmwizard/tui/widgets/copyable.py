"""Text an operator sends to someone: shown large on screen, and copied with OSC 52 (terminal clipboard)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Static


class CopyableText(Vertical):
    DEFAULT_CSS = """
    CopyableText { height: auto; border: round $accent; padding: 0 1; }
    CopyableText .text { height: auto; }
    CopyableText Button { margin-top: 1; }
    """

    def __init__(self, text: str = "", label: str = "Copy", id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = text
        self.label = label

    def compose(self) -> ComposeResult:
        yield Static(self.text, classes="text", markup=False)
        yield Button(self.label, compact=True, id="copy", variant="primary")

    def set_text(self, text: str) -> None:
        self.text = text
        self.query_one(".text", Static).update(text)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            event.stop()
            self.app.copy_to_clipboard(self.text)
            self.app.notify("copied to the terminal clipboard (OSC 52); the text is also on screen to select")
