"""`pmwizard configure --genesis F [--peers CARD...] (--check|--yes)`: install the genesis, set config.toml."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.common import add_check_yes, add_home, node_home, run_plan, say


def load_valid_cards(paths: list[str]) -> list:
    """Every card from files/folders (or `-`); any invalid card stops the command with its errors."""
    from pmwizard.cli.common import read_cards_arg
    from pmwizard.core.cards import usable_cards

    cards, warnings = usable_cards([c for p in paths for c in read_cards_arg(p)], " and ".join(paths))
    for w in warnings:
        say(f"warning: {w}", err=True)
    return cards


def cmd_configure(args: argparse.Namespace) -> int:
    from pmwizard.core.tmconfig import configure_plan

    home = node_home(args)
    cards = load_valid_cards(args.peers)
    from pmwizard.checks.peer_lookup import address_resolver

    plan = configure_plan(home, Path(args.genesis), moniker=args.moniker, peers=cards,
                          rpc_laddr=args.rpc_laddr, log_level=args.log_level, metrics=args.metrics,
                          resolve=address_resolver(args.nameserver))
    if args.services:
        from pmwizard.core.keys import load_identity
        from pmwizard.render.plans import KINDS, services_plan

        kinds = KINDS if "all" in args.services else tuple(dict.fromkeys(args.services))
        own = [c for c in cards if c.node_id == load_identity(home).node_id]
        hostname = args.hostname or (own[0].hostname if own else None)
        plan.extend(services_plan(home, hostname, kinds=kinds, folder=args.services_folder,
                                  planetmint_bin=args.planetmint_bin, tendermint_bin=args.tendermint_bin,
                                  init_lua=args.init_lua, cert=args.cert, key=args.key))
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
    p.add_argument("--metrics", metavar="ADDR", help="turn on Tendermint's Prometheus metrics: "
                   "[instrumentation] prometheus = true, prometheus_listen_addr = ADDR (e.g. 127.0.0.1:26660)")
    p.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                   help="look the peers' host names up with this DNS server (default: the system resolver), to "
                        "see peers on this machine or sharing one address")
    s = p.add_argument_group("service files (the same as `pmwizard services`, in the same preview)")
    s.add_argument("--services", nargs="+", default=[], metavar="KIND",
                   choices=["all", "monit", "tarantool", "nginx", "planetmint"],
                   help="also write these: all | monit tarantool nginx planetmint")
    s.add_argument("--hostname", help="public name for nginx/planetmint (default: this node's card)")
    s.add_argument("--services-folder", metavar="DIR", help="Monit and Tarantool files (default ~/.planetmint-monit)")
    s.add_argument("--planetmint-bin", help="planetmint executable (default: found on PATH)")
    s.add_argument("--tendermint-bin",
                   help="cometbft/tendermint executable (default: cometbft, else tendermint, on PATH)")
    s.add_argument("--init-lua", help="Planetmint's init.lua (default: from the installed package)")
    s.add_argument("--cert", help="TLS full chain for nginx (default: Let's Encrypt's path for the hostname)")
    s.add_argument("--key", help="TLS private key for nginx")
    add_home(p)
    add_check_yes(p)
    p.set_defaults(func=cmd_configure)
