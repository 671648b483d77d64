"""Findings as text for a person: grouped by member or target, a symbol AND a word per finding (so
colour is never the only signal), colour only on a terminal and never with NO_COLOR set."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TextIO

from pmwizard.checks.finding import Finding, Status, summarize
from pmwizard.core.shown import visible

SYMBOL = {Status.PASS: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.ERROR: "?"}
# For a terminal or pipe that cannot encode the marks (LANG=C, PYTHONIOENCODING=ascii); the word follows anyway.
ASCII_SYMBOL = {Status.PASS: "+", Status.WARN: "!", Status.FAIL: "x", Status.ERROR: "?"}
WORD = {Status.PASS: "pass", Status.WARN: "warn", Status.FAIL: "FAIL", Status.ERROR: "error"}
COLOUR = {Status.PASS: "\033[32m", Status.WARN: "\033[33m", Status.FAIL: "\033[31m", Status.ERROR: "\033[35m"}
RESET, DIM, BOLD = "\033[0m", "\033[2m", "\033[1m"


def use_colour(stream: TextIO) -> bool:
    """Colour on a TTY only, and never when NO_COLOR is set (https://no-color.org)."""
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def can_show_marks(stream: TextIO) -> bool:
    """Whether `stream`'s encoding has the ✓ and ✗ marks (False under an ASCII or Latin-1 locale)."""
    try:
        "".join(SYMBOL.values()).encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def group_of(f: Finding) -> str:
    return visible(f.evidence.get("member") or f.target.split(":")[0].split(" ")[0])


def finding_line(f: Finding, colour: bool = False, ascii_marks: bool = False) -> str:
    """One finding as text. Its message and fix quote what servers, peers and certificates sent (a moniker,
    a node ID, a certificate's names): this is the one place they become terminal text, so they are made
    visible here (our own colour codes are added after that)."""
    status = Status(f.status)
    head = f"{(ASCII_SYMBOL if ascii_marks else SYMBOL)[status]} {WORD[status]:<5}"
    if colour:
        head = f"{COLOUR[status]}{head}{RESET}"
    line = f"  {head} {visible(f.check):<14} {visible(f.code):<17} {visible(f.message)}"
    if status != Status.PASS and f.fix:
        fix = f"fix: {visible(f.fix)}"
        line += "\n" + " " * 10 + (f"{DIM}{fix}{RESET}" if colour else fix)
    return line


def render_text(findings: Iterable[Finding], colour: bool = False, ascii_marks: bool = False) -> str:
    items = list(findings)
    groups: dict[str, list[Finding]] = {}
    for f in items:
        groups.setdefault(group_of(f), []).append(f)
    out = []
    for name, found in groups.items():
        out.append(f"{BOLD}{name}{RESET}" if colour else name)
        out += [finding_line(f, colour, ascii_marks) for f in found]
    counts = summarize(items)
    out.append(", ".join(f"{counts[s.value]} {s.value}" for s in Status))
    return "\n".join(out) + "\n"
