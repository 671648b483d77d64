"""`pmwizard join`: this node joins a running network as a full node (non-validator), and `join --wait`
follows its catch-up: its height against the network's until Tendermint says it is no longer catching up.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pmwizard.cli.common import add_home, home_arg, print_json, run_plan


def _genesis(args: argparse.Namespace) -> tuple[bytes, str]:
    import asyncio

    from pmwizard.checks import network as net
    from pmwizard.core.genesis import read_limited
    from pmwizard.core.join import genesis_from_rpc_doc

    if args.genesis:
        return read_limited(Path(args.genesis)), args.genesis
    doc = asyncio.run(net.genesis(args.from_rpc, args.timeout))
    return genesis_from_rpc_doc(doc, args.from_rpc), f"{args.from_rpc}/genesis"


def cmd_join(args: argparse.Namespace) -> int:
    if args.wait:
        return wait(args)
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.join import join_plan
    from pmwizard.core.paths import tendermint_home
    from pmwizard.core.shown import visible

    if not (args.genesis or args.from_rpc) or not (args.check or args.yes):
        print("pmwizard join: error: say where the genesis comes from (--genesis FILE or --from-rpc URL) and add "
              "--check (show the diff) or --yes (write it)", file=sys.stderr)
        return 2  # a usage error, as argparse's own
    home = tendermint_home(home_arg(args))
    data, source = _genesis(args)
    jp = join_plan(home, data, source, load_valid_cards(args.peers), args.moniker, args.rpc_laddr, args.expect_sha256)
    r = jp.report
    print(f"genesis {visible(r.chain_id)} from {visible(source)}: SHA-256 {r.sha256}", file=sys.stderr)
    print("  compare it with a member's `pmwizard genesis validate genesis.json` before starting the node",
          file=sys.stderr)
    if jp.validator:
        print("  this node's validator is in the genesis: it is a founding member, not a joiner", file=sys.stderr)
    else:
        print("  this node is not a validator: it joins as a full node; a validator election "
              "(`pmwizard validators add`) can make it one once it has caught up", file=sys.stderr)
    return run_plan(jp.plan, args)


def wait(args: argparse.Namespace) -> int:
    """Poll this node (and the network's RPC, when given) until it has caught up or --timeout passes."""
    import asyncio

    from pmwizard.checks import network as net

    deadline = time.monotonic() + args.wait_timeout
    last = None
    while True:
        try:
            status = asyncio.run(net.status(args.rpc, args.timeout))
            theirs = asyncio.run(net.status(args.from_rpc, args.timeout)).height if args.from_rpc else None
        except net.NetworkTrouble as exc:
            mine, theirs = None, None
            line = f"waiting: {exc}"
        else:
            mine = status
            line = (f"height {status.height}" + (f" of {theirs}" if theirs is not None else "")
                    + (" (catching up)" if status.catching_up else " (not catching up)"))
        done = mine is not None and not mine.catching_up and (theirs is None or mine.height + 2 >= theirs)
        if line != last and not args.json:
            print(line, flush=True)
            last = line
        if done or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    doc = {"caught_up": done, "height": mine.height if mine else None, "network_height": theirs,
           "catching_up": mine.catching_up if mine else None}
    if args.json:
        print_json(doc)
    elif done:
        print("caught up")
    else:
        print(f"not caught up within {args.wait_timeout:g} s", file=sys.stderr)
    return 0 if done else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("join", help="join a running network as a full node; --wait follows the catch-up",
                              description="Install the running network's genesis (unchanged: from a file or a "
                                          "member's RPC) and config.toml pointing at the members' cards; this node "
                                          "runs as a full node until a validator election adds it.")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--genesis", metavar="FILE", help="the network's genesis.json")
    src.add_argument("--from-rpc", metavar="URL", help="a member's Tendermint RPC: its /genesis (and, with --wait, "
                                                       "its height)")
    p.add_argument("--expect-sha256", metavar="HEX", help="the genesis SHA-256 the members read out: refuse another")
    p.add_argument("--peers", nargs="+", default=[], metavar="CARD", help="member cards (files or folders)")
    p.add_argument("--moniker", help="this node's name in Tendermint")
    p.add_argument("--rpc-laddr", metavar="ADDR", help="[rpc] laddr, e.g. tcp://127.0.0.1:26657")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true", help="print the diff of every file it would write; write nothing")
    g.add_argument("--yes", action="store_true", help="write the files (each previous version is backed up)")
    g.add_argument("--wait", action="store_true", help="follow this node's catch-up (its height vs the network's)")
    p.add_argument("--rpc", default="http://127.0.0.1:26657", metavar="URL", help="with --wait: this node's RPC")
    p.add_argument("--wait-timeout", type=float, default=600.0, metavar="S", help="with --wait: give up after S s")
    p.add_argument("--json", action="store_true", help="with --wait: one JSON document on stdout")
    add_home(p)
    p.set_defaults(func=cmd_join)
