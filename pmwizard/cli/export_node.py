"""Options and inputs shared by `export ansible` and `export kubernetes`: the node the files are for.

Both targets render the same node from the same inputs as `pmwizard configure --services all`: the node
home (its keys and config.toml), the network's genesis, the member cards, the public hostname. (Not an
export target itself: export.py only loads `export_<target>` modules named in its TARGETS.)
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmwizard.cli.common import add_check_yes, add_home

if TYPE_CHECKING:
    from pmwizard.core.cards import MemberCard
    from pmwizard.core.plan import Plan

_INVENTORY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,252}")


def add_node_options(p: argparse.ArgumentParser) -> None:
    """The options every export takes: output folder, the network, the node, its ports."""
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the export into")
    p.add_argument("--genesis", required=True, metavar="FILE", help="the network's genesis.json")
    p.add_argument("--peers", nargs="+", default=[], metavar="CARD",
                   help="member cards (files or folders); this node's own card sets its P2P port")
    p.add_argument("--moniker", help="this node's name in Tendermint")
    p.add_argument("--hostname", help="the node's public DNS name (default: this node's card)")
    p.add_argument("--name", action="append", default=[], metavar="EXTRA",
                   help="another name the site answers to (consortium name); repeatable")
    p.add_argument("--init-lua", help="Planetmint's init.lua to deliver (default: from the installed package)")
    p.add_argument("--tarantool-port", type=int, default=3303, help="Tarantool port (default 3303)")
    p.add_argument("--api-port", type=int, default=9984, help="Planetmint HTTP API port (default 9984)")
    p.add_argument("--ws-port", type=int, default=9985, help="Planetmint WebSocket port (default 9985)")
    p.add_argument("--rpc-port", type=int, default=26657, help="Tendermint RPC port (default 26657)")
    add_home(p)
    add_check_yes(p)


@dataclass(frozen=True)
class NodeInputs:
    """The command line's node, read and checked: the home, the cards, the hostname."""

    home: Path
    genesis: Path
    cards: list[MemberCard]
    hostname: str
    init_lua: Path


def read_node_inputs(args: argparse.Namespace) -> NodeInputs:
    """Load and check what every export needs; InputError naming the file/option on bad input."""
    from pmwizard.cli.common import home_arg
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.keys import load_identity
    from pmwizard.core.paths import tendermint_home
    from pmwizard.errors import InputError
    from pmwizard.render.quoting import checked_hostname
    from pmwizard.render.tarantool import find_init_lua

    home = tendermint_home(home_arg(args)).absolute()
    ident = load_identity(home)
    cards = load_valid_cards(args.peers)
    own = [c for c in cards if c.node_id == ident.node_id]
    hostname = args.hostname or (own[0].hostname if own else None)
    if not hostname:
        raise InputError("<command line>", "--hostname", "is needed (no card among --peers is this node's): "
                         "the node's public DNS name")
    checked_hostname(hostname, "--hostname")
    for opt in ("tarantool_port", "api_port", "ws_port", "rpc_port"):
        value = getattr(args, opt)
        if not 0 < value < 65536:
            raise InputError("<command line>", "--" + opt.replace("_", "-"), f"{value} is not a TCP port")
    return NodeInputs(home=home, genesis=Path(args.genesis), cards=cards, hostname=hostname,
                      init_lua=find_init_lua(args.init_lua))


def checked_inventory_name(value: str, option: str) -> str:
    """A host name or address as Ansible's INI inventory takes it (no blanks, no `=`), else InputError."""
    from pmwizard.errors import InputError

    if not _INVENTORY_NAME.fullmatch(value) or ".." in value:
        raise InputError("<command line>", option, f"{value!r}: expected a host name or IP address")
    return value


def export_plan(out: Path, files: dict[str, bytes]) -> Plan:
    """The export folder's files as a Plan (previewed with --check, written with --yes)."""
    from pmwizard.core.plan import Plan

    plan = Plan()
    for rel, data in files.items():
        mode = 0o755 if rel.endswith(".sh") else 0o644
        plan.add(out / rel, data, mode=mode)
    return plan


def print_warnings(notes: tuple[str, ...]) -> None:
    """The rendering's warnings (e.g. this node's validator is not in the genesis), on stderr as configure
    shows them in its preview."""
    import sys

    from pmwizard.core.shown import visible

    for note in notes:
        if note.startswith("warning"):
            print(visible(note), file=sys.stderr)
