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
    try:
        from pmwizard.core.hostname import validate_hostname
    except ModuleNotFoundError:  # core lands separately; keep the same rules in the meantime
        return _fallback_hostname_problems(name)
    return validate_hostname(name)


def _fallback_hostname_problems(name: str) -> list[str]:
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError as exc:
        return [f"not a valid international name ({exc})"]
    if len(ascii_name) > 253:
        return ["longer than 253 characters"]
    labels = ascii_name.split(".")
    if len(labels) < 2:
        return ["needs at least one dot (a full name like node.example.org)"]
    for label in labels:
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?", label):
            return [f"label {label!r} is not letters, digits and inner hyphens (1-63 characters)"]
    return []


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
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
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
