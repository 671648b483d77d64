"""`pmwizard undo (--check|--yes)`: put back the files the last apply replaced, from their backups."""

from __future__ import annotations

import argparse
import sys

from pmwizard.cli.common import add_check_yes, run_plan, say


def cmd_undo(args: argparse.Namespace) -> int:
    from pmwizard.core.undo import undo_plan

    undo = undo_plan()
    if undo.partial:
        print("the last apply stopped part way; undoing the files it did change", file=sys.stderr)
    for line in undo.refused:
        say(f"not undone: {line}", err=True)
    for p in undo.created:
        say(f"created by the last apply (remove it yourself if unwanted): {p}", err=True)
    code = run_plan(undo.plan, args)
    return 1 if undo.refused and not undo.plan.pending else code


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("undo", help="restore the files the last write replaced (from their backups)")
    add_check_yes(p)
    p.set_defaults(func=cmd_undo)
