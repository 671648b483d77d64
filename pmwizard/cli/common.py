"""Helpers shared by the subcommands: --home, --json output, plan preview/apply."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any

from pmwizard.core.plan import Plan


def add_home(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a top-level `pmwizard --home X sub` value when the subcommand has no --home of its own.
    parser.add_argument("--home", default=argparse.SUPPRESS, help="node home (default: $CMTHOME, $TMHOME, else an existing ~/.cometbft or ~/.tendermint)")


def add_check_yes(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="print the diff of every file it would write; write nothing")
    group.add_argument("--yes", action="store_true", help="write the files (each previous version is backed up)")


def home_arg(args: argparse.Namespace) -> str | None:
    return getattr(args, "home", None)


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


def print_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
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
        print("nothing to change")
    for w in written:
        line = f"wrote {w.path}"
        if w.backup:
            line += f" (previous version kept as {w.backup})"
        say(line)
    return 0
