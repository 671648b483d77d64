"""`pmwizard software [--tendermint-bin P] [--planetmint-bin P] [--tarantool-bin P] [--monit-bin P] [--json]`:
the programs a Planetmint 2.5 node runs, found and their versions checked (the wizard's software step).
Exit 1 when a required one is missing or the wrong version."""

from __future__ import annotations

import argparse


def cmd_software(args: argparse.Namespace) -> int:
    from pmwizard.checks.software import check_software
    from pmwizard.cli.check import report

    given = {key: value for key in ("tendermint", "planetmint", "tarantool", "monit", "nginx")
             if (value := getattr(args, f"{key}_bin"))}
    return report(check_software(given), args.json)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("software", help="find Tendermint 0.34, Planetmint 2.5, Tarantool, Monit, NGINX "
                                               "and check their versions")
    for key in ("tendermint", "planetmint", "tarantool", "monit", "nginx"):
        p.add_argument(f"--{key}-bin", metavar="PATH", help=f"the {key} executable (default: on PATH)")
    p.add_argument("--json", action="store_true", help="print one JSON document: findings and summary")
    p.set_defaults(func=cmd_software)
