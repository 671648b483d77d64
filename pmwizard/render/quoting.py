"""Make values typed by a person safe for the file they go into, or refuse them with the reason (SPEC §7).

Each file kind has its own rules: Monit paths are bare tokens (no quoting exists for them), NGINX strings
are double-quoted with backslash escapes but `$` starts a variable, Lua strings take decimal byte escapes,
JSON is handled by `json.dumps`. Hostnames are validated once and used in their ASCII (IDNA) form.
"""

from __future__ import annotations

import re

from pmwizard.errors import InputError

# Monit's lexer reads a path as `/` followed by letters, digits and punctuation up to a blank, and splits a
# program string on blanks; there is no escape, so anything outside this set is refused rather than quoted.
_MONIT_PATH = re.compile(r"/[A-Za-z0-9._/+@%,:=~-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _validate_hostname(name: str) -> list[str]:
    from pmwizard.core.hostname import validate_hostname

    return validate_hostname(name)


def checked_hostname(name: str, field: str = "hostname") -> str:
    """The hostname in lowercase ASCII (IDNA) form, or InputError saying what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise InputError("<command line>", field, "is empty; give the node's public DNS name")
    if _CONTROL.search(name) or any(c in name for c in " \t\"';{}#\\$"):
        raise InputError("<command line>", field, f"{name!r} is not a DNS name (it contains quotes, blanks, "
                         "';', '{', '#', '$' or backslashes, which no hostname has)")
    # A fully qualified name's final dot is DNS notation, not part of what NGINX or clients match.
    name = name[:-1] if name.endswith(".") and not name.endswith("..") else name
    problems = _validate_hostname(name)
    if problems:
        raise InputError("<command line>", field, f"{name!r}: " + "; ".join(problems))
    from pmwizard.core.hostname import to_ascii

    try:
        return to_ascii(name)  # IDNA 2008 / UTS #46, as DNS and the certificate carry it
    except ValueError as exc:
        raise InputError("<command line>", field, f"{name!r} cannot be written in IDNA form: {exc}") from None


def monit_path(value: str, field: str) -> str:
    """A path Monit can read as a bare token and a program string will not split: absolute, no blanks,
    no quotes, ASCII only."""
    if not _MONIT_PATH.fullmatch(value):
        bad = sorted({c for c in value if not re.fullmatch(r"[A-Za-z0-9._/+@%,:=~-]", c)})
        why = "must be absolute" if not value.startswith("/") else f"contains {''.join(bad)!r}"
        raise InputError("<command line>", field, f"{value!r} cannot go into a monitrc: it {why}. Monit has no "
                         "quoting for paths and splits program lines on blanks; use a path made of letters, "
                         "digits and . _ - / only (a symlink works)")
    return value


def nginx_string(value: str, field: str) -> str:
    """A double-quoted NGINX string. Refuses control characters (a newline would end the directive in
    the reader's eye) and `$` (NGINX would expand it as a variable in certificate paths)."""
    if _CONTROL.search(value):
        raise InputError("<command line>", field, f"{value!r} contains a control character (newline, tab); "
                         "it cannot be written into an NGINX file")
    if "$" in value:
        raise InputError("<command line>", field, f"{value!r} contains '$', which NGINX reads as a variable")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_string(value: str) -> str:
    """A Lua string literal: printable ASCII as is, quotes and backslashes escaped, every other byte
    (newline, control, UTF-8 of non-ASCII) as a decimal escape, so the literal is exactly these bytes."""
    out = []
    for byte in value.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'
