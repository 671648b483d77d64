"""The `pmwizard` command. No subcommand opens the wizard; every subcommand works without a TTY.

Exit codes are an API: 0 success (warnings allowed), 1 a check failed or the input is invalid, 2 usage.
Each subcommand lives in its own module with a `register(subparsers)` function; heavy imports stay inside
the command functions so `pmwizard --help` and the TUI start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pmwizard import __version__
from pmwizard.errors import PmwizardError

COMMANDS = ("identity", "card", "genesis", "configure", "services", "check", "doctor", "undo", "demo", "export",
            "software")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmwizard",
        description="Set up a Planetmint node or form a Planetmint network. Without a command: the wizard.",
    )
    parser.add_argument("--version", action="version", version=f"pmwizard {__version__}")
    parser.add_argument("--home", help="node home (default: $CMTHOME, $TMHOME, else an existing ~/.cometbft or ~/.tendermint)")
    parser.add_argument("--demo", action="store_true", help="run the wizard in a sandbox with made-up members")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"pmwizard.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pmwizard.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from pmwizard.tui.run import run_wizard

        return run_wizard(home=args.home, demo=args.demo)
    try:
        return int(args.func(args) or 0)
    except PmwizardError as exc:
        print(f"pmwizard: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("pmwizard: interrupted", file=sys.stderr)
        return 130
