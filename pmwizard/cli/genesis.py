"""`pmwizard genesis new|add|validate`: the coordinator's genesis.json, and checking any genesis file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pmwizard.cli.common import print_json


def _write_or_print(text: str, output: str | None) -> None:
    from pmwizard.core.genesis import fingerprint
    from pmwizard.core.plan import Plan

    if not output:  # stdout gets the document exactly; its fingerprint is of these bytes
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        plan = Plan()
        plan.add(output, text, notes=("genesis.json for the network",))
        for w in plan.apply():
            print(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""),
                  file=sys.stderr)
    print(f"SHA-256 {fingerprint(text.encode())}  (read it out to every member; they compare it with "
          "`pmwizard genesis validate` before configuring)", file=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.genesis import new_genesis

    cards = load_valid_cards(args.cards)
    _write_or_print(new_genesis(cards, args.chain_id, args.genesis_time, args.power), args.output)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.genesis import MAX_GENESIS_BYTES, add_to_genesis
    from pmwizard.errors import InputError

    path = Path(args.genesis)
    try:
        if path.stat().st_size > MAX_GENESIS_BYTES:
            raise InputError(str(path), None, "larger than 4 MiB")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read ({exc.strerror})") from None
    cards = load_valid_cards(args.cards)
    _write_or_print(add_to_genesis(data, cards, str(path), args.power), args.output)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pmwizard.core.genesis import read_genesis

    report = read_genesis(Path(args.file))
    if args.convert and report.converted:
        _write_or_print(report.converted, args.convert)
    if args.json:
        print_json(report.to_json())
        return 0 if report.valid else 1
    if report.valid:
        print(f"valid: {report.source}: chain_id {report.chain_id}, {len(report.validators)} validators, "
              f"genesis_time {report.genesis_time}")
        for v in report.validators:
            print(f"  {v.address}  power {v.power}  {v.name}")
    else:
        print(f"INVALID: {report.source}")
    for e in report.errors:
        print(f"  error: {e}")
    for w in report.warnings:
        print(f"  warning: {w}")
    if report.converted and not args.convert:
        print(f"  a converted 0.34 document is available: pmwizard genesis validate {args.file} --convert NEW_FILE")
    print(f"SHA-256 {report.sha256}")
    return 0 if report.valid else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("genesis", help="the network's genesis.json: make, extend, validate")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = sub.add_parser("new", help="a new genesis.json from member cards (prints its SHA-256)")
    new.add_argument("cards", nargs="+", metavar="CARD", help="member card files or folders")
    new.add_argument("--chain-id", help="default: planetmint- and 6 random characters")
    new.add_argument("--genesis-time", metavar="T", help="RFC 3339 UTC ending in Z (default: now, with nanoseconds)")
    new.add_argument("--power", type=int, default=10, help="each validator's voting power (default 10)")
    new.add_argument("-o", "--output", metavar="FILE", help="write here (previewed writes, backup kept)")
    new.set_defaults(func=cmd_new)
    add = sub.add_parser("add", help="add members' validators to an existing genesis.json")
    add.add_argument("genesis", metavar="GENESIS")
    add.add_argument("cards", nargs="+", metavar="CARD")
    add.add_argument("--power", type=int, default=10)
    add.add_argument("-o", "--output", metavar="FILE")
    add.set_defaults(func=cmd_add)
    val = sub.add_parser("validate", help="Tendermint 0.34's verdict, incl. what panics at node start; SHA-256")
    val.add_argument("file", metavar="FILE")
    val.add_argument("--json", action="store_true", help="one JSON document on stdout")
    val.add_argument("--convert", metavar="NEW_FILE", help="for a file shaped like the Planetmint docs' example: "
                                                          "write the converted 0.34 document here")
    val.set_defaults(func=cmd_validate)
