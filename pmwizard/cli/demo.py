"""`pmwizard demo`: the wizard in a sandbox (temporary home, made-up members, loopback DNS and HTTPS)."""

from __future__ import annotations

import argparse


def cmd_demo(args: argparse.Namespace) -> int:
    import sys

    from pmwizard.cli import needs_terminal

    reason = needs_terminal()
    if reason:
        print(f"pmwizard: {reason}", file=sys.stderr)
        return 2
    from pmwizard.tui.run import run_wizard

    return run_wizard(demo=True)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="try every journey in a sandbox; nothing outside it is touched")
    p.set_defaults(func=cmd_demo)
