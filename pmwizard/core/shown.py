"""Text from outside (a card, a genesis file, a peer, a certificate, a server) made safe to show or to copy.

A string a remote party chose can carry terminal control sequences (ESC [ ... to move the cursor or recolour,
OSC 0 to retitle the window, OSC 52 to write the clipboard) and bidi overrides that make a name read
differently from its bytes. Every such string is shown through `visible()`: printable text stays as it is,
and each control, bidi, invisible formatting or unusual blank character becomes a visible escape (`\\x1b`, `\\u202e`),
so an operator sees what was sent and the terminal never executes it. Where a value goes into a command the
operator copies, `for_shell()` quotes it for a POSIX shell as well.
"""

from __future__ import annotations

import shlex


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: object) -> str:
    """`text` as a string with every control, bidi and invisible formatting character shown as an escape.

    A backslash is doubled only when it could be mistaken for one of those escapes, so ordinary paths and
    names read as typed.
    """
    s = text if isinstance(text, str) else str(text)
    if s.isascii() and s.isprintable() and "\\" not in s:
        return s
    out: list[str] = []
    for ch in s:
        # str.isprintable() is False for controls (Cc), formatting and bidi characters (Cf), surrogates,
        # private-use and unassigned code points, and every separator but the ASCII space.
        if not ch.isprintable():
            out.append(_escape(ch))
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(ch)
    return "".join(out)


def is_visible(text: str) -> bool:
    """True when `visible(text)` would show `text` unchanged (nothing to escape)."""
    return visible(text) == text


def for_shell(value: str) -> str:
    """`value` quoted for a POSIX shell, and shown visibly: safe to print in a command line to copy.

    A value with anything `visible()` would escape cannot be pasted faithfully, so it is refused by the
    caller's rules before it gets here; this still never lets a raw control character through.
    """
    return shlex.quote(visible(value))


def visible_lines(*texts: str) -> str:
    """Several lines of text from outside (a diff, a list of problems) made safe line by line: the line breaks
    stay, a line with nothing to escape is kept exactly as it is (a diff stays the diff), any other line is
    shown through `visible()`. Several texts are joined as lines."""
    return "\n".join(line if line.isprintable() else visible(line)
                     for text in texts for line in text.split("\n"))


def first_line(exc: BaseException, limit: int = 300) -> str:
    """A library's exception as one line for a finding: its message's first line, at most `limit` characters
    (its type's name when the message is empty)."""
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:limit]
