"""`pmwizard configure --genesis F [--peers CARD...] (--check|--yes)`: install the genesis, set config.toml."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.common import add_check_yes, add_home, home_arg, run_plan


def load_valid_cards(paths: list[str]) -> list:
    """Every card from files/folders; any invalid card stops the command with its errors."""
    import sys

    from pmwizard.core.cards import find_conflicts, read_cards
    from pmwizard.errors import InputError

    cards = []
    for p in paths:
        for check in read_cards(Path(p)):
            if not check.valid or check.card is None:
                raise InputError(check.source, None, "; ".join(check.errors))
            for w in check.warnings:
                print(f"warning: {w}", file=sys.stderr)
            cards.append(check.card)
    for c in find_conflicts(cards):
        raise InputError(" and ".join(paths), c.kind, c.message)
    return cards


def cmd_configure(args: argparse.Namespace) -> int:
    from pmwizard.core.paths import tendermint_home
    from pmwizard.core.tmconfig import configure_plan

    cards = load_valid_cards(args.peers)
    plan = configure_plan(tendermint_home(home_arg(args)), Path(args.genesis), moniker=args.moniker, peers=cards,
                          rpc_laddr=args.rpc_laddr, log_level=args.log_level)
    return run_plan(plan, args)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "configure", help="install genesis.json and set config.toml (moniker, peers, rates, ...), previewed",
        description="Install the network's genesis.json into the home and set config.toml: moniker, log_level, "
                    "[consensus] create_empty_blocks=false, [p2p] persistent_peers (every card but this node's), "
                    "send_rate/recv_rate, [mempool] recheck=false, this node's P2P port from its card, and "
                    "addr_book_strict/allow_duplicate_ip when peers are private or loopback. Every other line "
                    "and comment is kept.")
    p.add_argument("--genesis", required=True, metavar="FILE", help="the coordinator's genesis.json")
    p.add_argument("--moniker", help="this node's name in Tendermint (printable ASCII)")
    p.add_argument("--peers", nargs="+", default=[], metavar="CARD", help="member cards (files or folders); "
                   "this node's own card sets its P2P port")
    p.add_argument("--rpc-laddr", metavar="ADDR", help="[rpc] laddr, e.g. tcp://127.0.0.1:26657")
    p.add_argument("--log-level", metavar="LEVEL", help="info | debug | error | none, or module:level pairs")
    add_home(p)
    add_check_yes(p)
    p.set_defaults(func=cmd_configure)
