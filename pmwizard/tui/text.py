"""Text from outside (files, peers, servers) on screen: `core.shown.visible` line by line, so the line
breaks the wizard itself puts between lines stay line breaks while any inside a value are escaped."""

from __future__ import annotations

from pmwizard.core.shown import visible


def visible_lines(*lines: str) -> str:
    """Each argument may hold several of the wizard's own lines (joined with newlines)."""
    return "\n".join(visible(line) for text in lines for line in text.split("\n"))
