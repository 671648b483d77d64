"""Helpers shared by the subcommands: --home, --json output, --quiet/--verbose, plan preview/apply."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the plan machinery loads only when a command writes
    from pmwizard.core.plan import Plan

# Set once per run by pmwizard.cli.main from the parsed arguments: -1 quiet, 0 normal, 1 verbose.
VERBOSITY = 0
# The command's words joined by "-" (e.g. "identity-show"), the default kind of its JSON document's schema.
JSON_KIND: str | None = None
SCHEMA_VERSION = 1


def configure_output(args: argparse.Namespace) -> None:
    """Remember what --quiet/--verbose and the command asked for (read by info/detail/print_json)."""
    global VERBOSITY, JSON_KIND, _stdin_read
    _stdin_read = False
    VERBOSITY = -1 if getattr(args, "quiet", False) else 1 if getattr(args, "verbose", False) else 0
    JSON_KIND = getattr(args, "json_kind", None)


def info(message: str, *, err: bool = False) -> None:
    """A line that says what happened (wrote X, next step); --quiet drops it, results and errors stay."""
    if VERBOSITY >= 0:
        say(message, err=err)


def detail(message: str) -> None:
    """A line only --verbose shows, always on stderr (what was chosen and why)."""
    if VERBOSITY > 0:
        say(f"pmwizard: {message}", err=True)


def node_home(args: argparse.Namespace) -> Path:
    """The node home as core.paths.choose_home picks it; --verbose says which and why on stderr."""
    from pmwizard.core.paths import choose_home
    from pmwizard.core.shown import visible

    home = choose_home(home_arg(args))
    detail(f"node home {visible(str(home.path))} ({home.reason})")
    return home.path


def add_home(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a top-level `pmwizard --home X sub` value when the subcommand has no --home of its own.
    parser.add_argument("--home", default=argparse.SUPPRESS,
                        help="node home (default: $CMTHOME, $TMHOME, else an existing ~/.cometbft or ~/.tendermint)")


def add_check_yes(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true",
                       help="print the diff of every file it would write; write nothing")
    group.add_argument("--yes", action="store_true", help="write the files (each previous version is backed up)")


STDIN = "-"
STDIN_NAME = "<stdin>"
_stdin_read = False


def read_stdin(limit: int, what: str) -> bytes:
    """Standard input for a `-` argument, read with a bound (at most `limit` bytes, else InputError)."""
    from pmwizard.errors import InputError

    global _stdin_read
    if _stdin_read:
        raise InputError(STDIN_NAME, None, "`-` (standard input) can be given only once")
    _stdin_read = True
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(STDIN_NAME, None, f"more than {limit // 1024} KiB; {what} is at most {limit // 1024} KiB")
    return data


def read_cards_arg(arg: str) -> list:
    """Card checks from a file, a folder, or `-` (standard input: one card, a list, or pasted values)."""
    from pmwizard.core.cards import MAX_CARD_BYTES, read_card_bytes, read_cards

    if arg == STDIN:
        return read_card_bytes(read_stdin(MAX_CARD_BYTES + 1, "a card"), STDIN_NAME)
    return read_cards(Path(arg))


def read_genesis_arg(arg: str) -> Any:
    """A GenesisReport for a file or `-` (standard input, at most MAX_GENESIS_BYTES, 16 MiB); InputError when
    unreadable."""
    from pmwizard.core.genesis import MAX_GENESIS_BYTES, read_genesis, validate_genesis

    if arg == STDIN:
        return validate_genesis(read_stdin(MAX_GENESIS_BYTES, "a genesis file"), STDIN_NAME)
    return read_genesis(Path(arg))


def home_arg(args: argparse.Namespace) -> str | None:
    return getattr(args, "home", None)


def port_number(text: str) -> int:
    """argparse type of every port option: a number from 1 to 65535."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (a number from 1 to 65535)")
    return int(text)


def say(text: str, *, err: bool = False) -> None:
    """Print a line for a person. Everything the CLI prints in text goes through here (or `visible_lines`):
    names, paths and messages carry text from cards, genesis files, peers and servers, and a control or bidi
    character in them is shown escaped, never sent to the terminal raw."""
    from pmwizard.core.shown import visible_lines

    print(visible_lines(text), file=sys.stderr if err else sys.stdout)


def print_problems(errors: Iterable[str], warnings: Iterable[str]) -> None:
    """A report's errors, then its warnings, one indented line each (card verify, genesis validate)."""
    for e in errors:
        say(f"  error: {e}")
    for w in warnings:
        say(f"  warning: {w}")


def write_document(text: str) -> None:
    """A document that must reach stdout byte for byte (a card, a genesis whose SHA-256 is shown): UTF-8
    whatever the locale, since the formats are UTF-8 and LANG=C would otherwise escape or refuse it."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a replaced stdout (tests' capture): text is all it takes
        sys.stdout.write(text)
    else:
        buffer.write(text.encode("utf-8"))
        buffer.flush()


def schema_name(kind: str) -> str:
    return f"pmwizard/{kind}/{SCHEMA_VERSION}"


def print_json(doc: Any, kind: str | None = None) -> None:
    """One JSON document on stdout, named by a leading `schema` key (`pmwizard/<kind>/1`; kind defaults to
    the command's words). ASCII escapes where stdout cannot encode UTF-8 (LANG=C), so JSON stays valid."""
    kind = kind or JSON_KIND
    if isinstance(doc, dict) and kind and "schema" not in doc:
        doc = {"schema": schema_name(kind), **doc}
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=encoding not in ("utf8", "utf8sig"))
    sys.stdout.write("\n")


def run_plan(plan: Plan, args: argparse.Namespace) -> int:
    """--check prints the exact diff; --yes applies it and says what was written and backed up."""
    from pmwizard.core.shown import visible_lines

    if args.check:
        text = plan.diff()  # a line with a control character (from a genesis, a card) is shown escaped
        sys.stdout.write(visible_lines(text) if text else "nothing to change\n")
        return 0
    written = plan.apply()
    if not written:
        info("nothing to change")
    for w in written:
        line = f"wrote {w.path}"
        if w.backup:
            line += f" (previous version kept as {w.backup})"
        info(line)
    return 0
