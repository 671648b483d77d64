"""`pmwizard identity show|init`: this node's public identity, and its keys created when missing."""

from __future__ import annotations

import argparse

from pmwizard.cli.common import add_home, home_arg, info, print_json, say


def cmd_show(args: argparse.Namespace) -> int:
    from pmwizard.core.keys import load_identity
    from pmwizard.core.paths import choose_home
    from pmwizard.core.shown import visible

    home = choose_home(home_arg(args))
    ident = load_identity(home.path)
    if args.json:
        print_json({**ident.to_json(), "home_reason": home.reason}, "identity")
        return 0
    say(f"home          {visible(str(ident.home))}  ({home.reason})")
    say(f"address       {ident.address}")
    say(f"pub_key       {ident.pub_key}")
    say(f"node_id       {ident.node_id}")
    say(f"node_pub_key  {ident.node_pub_key}")
    for rel, state in ident.files.items():
        say(f"  {state:8} {rel}")
    for w in ident.warnings:
        say(f"warning: {w}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from pmwizard.core.keys import (
        LEGACY_VALIDATOR,
        VALIDATOR_KEY,
        convert_legacy_plan,
        init_plan,
        keep_legacy_as_backup,
        load_identity,
    )
    from pmwizard.core.paths import choose_home
    from pmwizard.core.shown import visible

    chosen = choose_home(home_arg(args))
    home = chosen.path
    info(f"node home {visible(str(home))} ({chosen.reason})", err=True)
    converted = None
    if (home / LEGACY_VALIDATOR).exists() and not (home / VALIDATOR_KEY).exists():
        written = convert_legacy_plan(home).apply()
        for w in written:
            info(f"converted: {w.path}")
        converted = keep_legacy_as_backup(home)
        info(f"the pre-0.28 file is kept as {converted}")
    plan = init_plan(home)
    written = plan.apply()
    for w in written:
        info(f"created {w.path}")
    if not written and not converted:
        info(f"nothing to create: the keys in {home} exist (they are never overwritten)")
    ident = load_identity(home)
    say(f"node_id {ident.node_id}  address {ident.address}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("identity", help="this node's keys: show the public values, or create missing keys")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="address, pub_key, node_id and the key files found (never a private key)")
    add_home(show)
    show.add_argument("--json", action="store_true", help="one JSON document on stdout")
    show.set_defaults(func=cmd_show)
    init = sub.add_parser("init", help="create the missing keys in Tendermint's formats; never overwrites; "
                                       "converts a pre-0.28 priv_validator.json (kept as .bak)")
    add_home(init)
    init.set_defaults(func=cmd_init)
