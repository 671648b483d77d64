"""`pmwizard doctor`: check every member of a network (or this node) at once and say what to fix."""

from __future__ import annotations

import argparse
import sys

from pmwizard.cli.check import add_dns_options, report
from pmwizard.cli.common import add_home, node_home, say


def _load_cards(paths: list[str]) -> list:
    if not paths:
        return []
    from pmwizard.cli.common import read_cards_arg
    from pmwizard.errors import InputError

    cards = []
    for p in paths:
        for check in read_cards_arg(p):
            if not check.valid or check.card is None:
                raise InputError(check.source, None, "; ".join(check.errors) or "not a valid member card")
            cards.append(check.card)
    return cards


def _chain_id(path: str | None) -> str | None:
    if not path:
        return None
    from pmwizard.cli.common import read_genesis_arg
    from pmwizard.errors import InputError

    rep = read_genesis_arg(path)
    if not rep.valid:
        raise InputError(rep.source, None, "; ".join(rep.errors))
    return rep.chain_id


def cmd_doctor(args: argparse.Namespace) -> int:
    import asyncio

    from pmwizard.checks.doctor import DoctorTarget, member_targets, parse_rpc_options, run_doctor
    from pmwizard.checks.lookup import parse_nameserver
    from pmwizard.checks.report import can_show_marks, finding_line

    nameservers = [str(parse_nameserver(n)) for n in args.nameserver]
    rpc = parse_rpc_options(args.rpc)
    chain_id = _chain_id(args.genesis)
    domain = args.consortium_domain.strip(".").lower() if args.consortium_domain else None
    round_robin = args.round_robin or domain
    cards = _load_cards(args.cards)
    if args.network or args.watch:
        from pmwizard.cli.doctor_network import cmd_network

        return cmd_network(args, cards)
    if cards:
        targets = member_targets(cards, consortium_domain=domain, round_robin=round_robin, rpc=rpc)
    else:
        from pmwizard.checks.doctor import this_node

        home = node_home(args)
        node_id, installed_chain, problems = this_node(home)
        for problem in problems:
            say(f"warning: {problem}", err=True)
        chain_id = chain_id or installed_chain
        targets = [DoctorTarget(name=args.hostname or "this node", hostname=args.hostname, p2p_port=args.p2p_port,
                                node_id=node_id,
                                rpc_url=rpc.get("local") or next(iter(rpc.values()), "http://127.0.0.1:26657"),
                                local=True, tarantool_port=args.tarantool_port,
                                tls_names=tuple(n for n in (round_robin,) if n),
                                tls_port=args.https_port, api_http_port=args.api_port, home=home)]
    live = not args.json and sys.stderr.isatty()

    def progress(f) -> None:
        if live:
            say(f"{f.evidence.get('member', '')}: "
                f"{finding_line(f, ascii_marks=not can_show_marks(sys.stderr)).strip().splitlines()[0]}", err=True)

    findings = asyncio.run(run_doctor(targets, chain_id=chain_id, nameservers=nameservers, ca_file=args.ca_file,
                                      timeout=args.timeout, concurrency=args.concurrency,
                                      round_robin=round_robin if cards else None, on_finding=progress))
    return report(findings, args.json)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "doctor", help="check all members of a network (or this node): DNS, TLS, P2P, API, RPC",
        description="Check every member of the network given by member cards (and the genesis for the chain id) "
                    "concurrently; without cards, check this node on loopback (P2P handshake and RPC "
                    "compared with the home's node key and genesis, API, Tarantool).")
    p.add_argument("cards", nargs="*", metavar="CARD", help="member card files or folders")
    add_home(p)
    p.add_argument("--genesis", metavar="FILE",
                   help="genesis.json: its chain_id is compared with each node's (without cards: the home's own)")
    p.add_argument("--consortium-domain", metavar="D",
                   help="member i must have the CNAME nodeI.D and a certificate covering it and the round-robin name")
    p.add_argument("--round-robin", metavar="NAME", help="the round-robin name (default: the consortium domain)")
    p.add_argument("--ca-file", metavar="PEM", help="extra trusted root(s) for the TLS checks")
    p.add_argument("--rpc", action="append", default=[], metavar="NODE_ID_OR_NAME=URL",
                   help="where a member's Tendermint RPC answers, e.g. node1=http://10.0.0.5:26657 (repeatable); "
                        "without it http://HOST:26657 is tried and silence is only a warning")
    p.add_argument("--hostname", metavar="H", help="without cards: this node's public host name (DNS and TLS)")
    p.add_argument("--p2p-port", type=int, default=26656, help="without cards: this node's P2P port")
    p.add_argument("--tarantool-port", type=int, default=3303, help="without cards: Tarantool's port on loopback")
    p.add_argument("--api-port", type=int, default=9984, help="without cards: Planetmint's HTTP API port")
    p.add_argument("--https-port", type=int, default=443, help="without cards: the HTTPS port NGINX serves")
    p.add_argument("--concurrency", type=int, default=64, help="members checked at once (default 64)")
    add_dns_options(p)
    from pmwizard.cli.doctor_network import add_network_options

    add_network_options(p)
    p.set_defaults(func=cmd_doctor)
