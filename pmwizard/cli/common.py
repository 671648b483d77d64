"""Helpers shared by the subcommands: --home, --json output, plan preview/apply."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the plan machinery loads only when a command writes
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


def print_problems(errors: Iterable[str], warnings: Iterable[str]) -> None:
    """A report's errors, then its warnings, one indented line each (card verify, genesis validate)."""
    for e in errors:
        print(f"  error: {e}")
    for w in warnings:
        print(f"  warning: {w}")


def print_json(doc: Any) -> None:
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def run_plan(plan: Plan, args: argparse.Namespace) -> int:
    """--check prints the exact diff; --yes applies it and says what was written and backed up."""
    if args.check:
        text = plan.diff()
        sys.stdout.write(text if text else "nothing to change\n")
        return 0
    written = plan.apply()
    if not written:
        print("nothing to change")
    for w in written:
        line = f"wrote {w.path}"
        if w.backup:
            line += f" (previous version kept as {w.backup})"
        print(line)
    return 0
