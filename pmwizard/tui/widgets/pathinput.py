"""A path field: completes from the file system as you type; Right or Tab takes the completion (Tab moves
on as usual when there is nothing to complete)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import events
from textual.suggester import Suggester
from textual.widgets import Input


class PathSuggester(Suggester):
    """Completes a path from the file system (the first entry that extends what was typed)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        # the folder is read in a thread: a slow or network mount must not stall typing
        return await asyncio.to_thread(complete_path, value) if value else None


def complete_path(value: str) -> str | None:
    """`value` completed with the first entry of its folder that starts with its last part (hidden files
    left out), a folder with a trailing slash; None when nothing matches."""
    path = Path(value).expanduser()
    folder, stem = (path, "") if value.endswith("/") else (path.parent, path.name)
    try:
        entries = sorted(p.name for p in folder.iterdir() if p.name.startswith(stem) and not p.name.startswith("."))
    except OSError:
        return None
    if not entries:
        return None
    return value + entries[0][len(stem):] + ("/" if (folder / entries[0]).is_dir() else "")


class PathInput(Input):
    """An Input for a file or folder path, with completion."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        kwargs.setdefault("suggester", PathSuggester())
        super().__init__(*args, **kwargs)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "tab" and self.cursor_at_end and len(self._suggestion) > len(self.value):
            event.stop()
            event.prevent_default()
            self.value = self._suggestion
            self.cursor_position = len(self.value)
            return
        await super()._on_key(event)
