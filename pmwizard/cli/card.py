"""`pmwizard card export|verify`: this node's signed member card, and checking cards received."""

from __future__ import annotations

import argparse

from pmwizard.cli.common import (
    add_home,
    info,
    node_home,
    print_json,
    print_problems,
    read_cards_arg,
    say,
    write_document,
)


def cmd_export(args: argparse.Namespace) -> int:
    from pmwizard.core.cards import card_text, export_card
    from pmwizard.core.plan import Plan

    card = export_card(node_home(args), args.hostname, args.name, args.p2p_port)
    text = card_text(card)
    if not args.output:
        write_document(text)
        return 0
    plan = Plan()
    plan.add(args.output, text, notes=("member card: public values only, signed by both keys",))
    for w in plan.apply():
        info(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""), err=True)
    info(f"send {args.output} to the coordinator; node_id {card.node_id}", err=True)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from pmwizard.core.cards import find_conflicts

    checks = [c for f in args.files for c in read_cards_arg(f)]
    conflicts = find_conflicts([c.card for c in checks if c.card])
    if args.json:
        print_json({"cards": [c.to_json() for c in checks],
                    "conflicts": [{"kind": x.kind, "message": x.message} for x in conflicts]}, "card-verify")
    else:
        for c in checks:
            if c.valid and c.card:
                state = "signed" if c.signed else "UNSIGNED"
                say(f"ok     {c.source}: {c.card.name} ({c.card.hostname}:{c.card.p2p_port}), "
                    f"node_id {c.card.node_id}, {state}")
            else:
                say(f"INVALID {c.source}")
            print_problems(c.errors, c.warnings)
        for x in conflicts:
            say(f"CONFLICT {x.kind}: {x.message}")
    return 0 if checks and all(c.valid for c in checks) and not conflicts else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("card", help="member cards: export this node's signed card, verify received ones")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ex = sub.add_parser("export", help="this node's member card, signed by its validator key and its node key")
    ex.add_argument("--hostname", required=True, help="the node's public DNS name (or IP for a LAN/test network)")
    ex.add_argument("--name", help="the member's name shown in the genesis (default: the hostname)")
    ex.add_argument("--p2p-port", type=int, default=26656, help="Tendermint P2P port peers dial (default 26656)")
    add_home(ex)
    ex.add_argument("-o", "--output", metavar="FILE", help="write the card here (default: stdout)")
    ex.set_defaults(func=cmd_export)
    ve = sub.add_parser("verify", help="check cards: signatures, node_id vs node_pub_key, hostname, sizes")
    ve.add_argument("files", nargs="+", metavar="FILE",
                    help="card files, three-values text files, folders, or - for standard input")
    ve.add_argument("--json", action="store_true", help="one JSON document on stdout")
    ve.set_defaults(func=cmd_verify)
