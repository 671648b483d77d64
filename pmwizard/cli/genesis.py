"""`pmwizard genesis new|add|validate`: the coordinator's genesis.json, and checking any genesis file.

new/add print the document on stdout (exactly the bytes whose SHA-256 is shown) or, with -o, write it through
a Plan (atomic, previous version kept); the fingerprint goes to stderr so stdout stays the document.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from pmwizard.cli.common import (
    STDIN,
    STDIN_NAME,
    info,
    print_json,
    print_problems,
    read_stdin,
    say,
    write_document,
)

FINGERPRINT_HINT = "read it out to every member; they compare it with `pmwizard genesis validate` before configuring"


def _write_or_print(text: str, output: str | None, what: str = "genesis.json for the network") -> None:
    from pmwizard.core.genesis import fingerprint
    from pmwizard.core.plan import Plan

    if not output:  # stdout gets the document exactly; its fingerprint is of these bytes
        write_document(text)
    else:
        plan = Plan()
        plan.add(output, text, notes=(what,))
        for w in plan.apply():
            info(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""), err=True)
    print(f"SHA-256 {fingerprint(text.encode())}  ({FINGERPRINT_HINT})", file=sys.stderr)


def cmd_new(args: argparse.Namespace) -> int:
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.genesis import new_genesis

    cards = load_valid_cards(args.cards)
    _write_or_print(new_genesis(cards, args.chain_id, args.genesis_time, args.power), args.output)
    _say_future_cap(args.power * len(cards))
    return 0


def _say_future_cap(total: int) -> None:
    """After launch members join by election, and Planetmint caps a proposed power under 1/3 of the total."""
    from pmwizard.core.valset import largest_allowed_power

    print(f"after launch, a member added by election (`pmwizard validators add`) can get at most power "
          f"{largest_allowed_power(total)} (Planetmint refuses 1/3 of the total {total} or more)", file=sys.stderr)


def _refuse_running_genesis(args: argparse.Namespace, data: bytes) -> None:
    """`genesis add` on the genesis of a node that has blocks would fork nobody but break that node: refuse."""
    from pmwizard.core.join import node_has_blocks
    from pmwizard.core.paths import tendermint_home
    from pmwizard.errors import InputError, PmwizardError

    homes = []
    here = Path(args.genesis).absolute()
    if here.parent.name == "config":
        homes.append(here.parent.parent)
    with contextlib.suppress(PmwizardError):
        homes.append(tendermint_home(getattr(args, "home", None)))
    for home in homes:
        installed = home / "config" / "genesis.json"
        if node_has_blocks(home) and installed.is_file() and installed.read_bytes() == data:
            raise InputError(args.genesis, None, f"this is the genesis of a running chain (the node in {home} has "
                                                 "blocks); editing it breaks that node. A running network gains "
                                                 "members by election: `pmwizard validators add CARD --power N`")


def cmd_add(args: argparse.Namespace) -> int:
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.genesis import add_to_genesis, read_limited

    if args.genesis == STDIN:
        from pmwizard.core.genesis import MAX_GENESIS_BYTES

        data = read_stdin(MAX_GENESIS_BYTES, "a genesis file")
    else:
        data = read_limited(Path(args.genesis))
    _refuse_running_genesis(args, data)
    cards = load_valid_cards(args.cards)
    source = STDIN_NAME if args.genesis == STDIN else args.genesis
    _write_or_print(add_to_genesis(data, cards, source, args.power), args.output)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from pmwizard.cli.common import read_genesis_arg
    from pmwizard.errors import InputError

    try:
        report = read_genesis_arg(args.file)
    except InputError as exc:
        if not args.json:
            raise
        print_json({"file": args.file, "valid": False, "errors": [str(exc)], "warnings": [], "sha256": ""},
                   "genesis-validate")
        return 1
    if args.convert:
        if report.converted:
            _write_or_print(report.converted, args.convert, "genesis.json converted to Tendermint 0.34")
        else:
            say(f"pmwizard: {args.file}: nothing to convert (--convert is for files shaped like the Planetmint "
                "docs' example)", err=True)
    if args.json:
        print_json(report.to_json(), "genesis-validate")
        return 0 if report.valid else 1
    if report.valid:
        say(f"valid: {report.source}: chain_id {report.chain_id}, {len(report.validators)} validators, "
            f"genesis_time {report.genesis_time}")
        if report.validators:  # one write (10,000 validators: 10,000 lines); a line break in a name is escaped
            from pmwizard.core.shown import visible

            say("\n".join(f"  {v.address}  power {v.power}  {visible(v.name)}" for v in report.validators))
    else:
        say(f"INVALID: {report.source}")
    print_problems(report.errors, report.warnings)
    if report.converted and not args.convert:
        from pmwizard.core.shown import for_shell

        say("  to get the converted 0.34 document: "
            f"pmwizard genesis validate {for_shell(args.file)} --convert NEW_FILE")
    print(f"SHA-256 {report.sha256}")
    return 0 if report.valid else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("genesis", help="the network's genesis.json: make, extend, validate")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    new = sub.add_parser("new", help="a new genesis.json from member cards (prints its SHA-256)")
    new.add_argument("cards", nargs="+", metavar="CARD", help="member card files or folders (- for standard input)")
    new.add_argument("--chain-id", help="default: planetmint- and 6 random characters")
    new.add_argument("--genesis-time", metavar="T", help="RFC 3339 UTC ending in Z (default: now, with nanoseconds)")
    new.add_argument("--power", type=int, default=10, help="each validator's voting power (default 10)")
    new.add_argument("-o", "--output", metavar="FILE", help="write here (atomic write, previous version kept); "
                                                           "default: print the document")
    new.set_defaults(func=cmd_new)
    add = sub.add_parser("add", help="add members' validators to an existing genesis.json")
    add.add_argument("genesis", metavar="GENESIS", help="the genesis.json to extend, or - for standard input")
    add.add_argument("cards", nargs="+", metavar="CARD")
    add.add_argument("--power", type=int, default=10, help="the new validators' voting power (default 10)")
    add.add_argument("-o", "--output", metavar="FILE", help="write here (may be GENESIS itself; previous version "
                                                           "kept); default: print the document")
    add.add_argument("--home", default=argparse.SUPPRESS, help="a node home whose genesis must not change once "
                     "it has blocks (default: $CMTHOME, $TMHOME, ~/.cometbft or ~/.tendermint)")
    add.set_defaults(func=cmd_add)
    val = sub.add_parser("validate", help="Tendermint 0.34's verdict, incl. what panics at node start; SHA-256")
    val.add_argument("file", metavar="FILE", help="the genesis.json, or - for standard input")
    val.add_argument("--json", action="store_true", help="one JSON document on stdout")
    val.add_argument("--convert", metavar="NEW_FILE", help="for a file shaped like the Planetmint docs' example: "
                                                          "write the converted 0.34 document here")
    val.set_defaults(func=cmd_validate)
