"""Errors a user can cause. Each names the file (or input) and the field, so the message alone is actionable."""

from __future__ import annotations


class PmwizardError(Exception):
    """Base of every error pmwizard reports to a person (CLI exit 1, TUI message)."""


class InputError(PmwizardError):
    """Bad input: a file or value that cannot be used. `source` is a path or a label like '<pasted text>'."""

    def __init__(self, source: str, field: str | None, message: str) -> None:
        self.source = str(source)
        self.field = field
        self.message = message
        where = f"{self.source}: {field}" if field else self.source
        super().__init__(f"{where}: {message}")


class WriteRefused(PmwizardError):
    """A write that would be unsafe: file changed since preview, key file exists, value cannot be quoted."""
