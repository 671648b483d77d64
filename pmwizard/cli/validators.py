"""`pmwizard validators show|add|remove|set-power|vote|status`: members join and leave a running network
through Planetmint's validator elections, checked before, during and after.

The logic lives in pmwizard.checks.elections (and core.valset / core.election); this module parses the
arguments and presents. Every call to Planetmint's CLI is bounded by --planetmint-timeout.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from pmwizard.cli.common import add_check_yes, add_home, home_arg, print_json

DEFAULT_RPC = "http://127.0.0.1:26657"
DEFAULT_API = "http://127.0.0.1:9984"


def _names(args: argparse.Namespace) -> dict[str, tuple[str, str]]:
    """{pub_key: (name, node_id)} from --cards and --genesis, so the set shows the operators' names."""
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.genesis import read_genesis

    names: dict[str, tuple[str, str]] = {}
    if getattr(args, "genesis", None):
        for v in read_genesis(Path(args.genesis)).validators:
            names[v.pub_key] = (v.name, "")
    for c in load_valid_cards(getattr(args, "cards", None) or []):
        names[c.pub_key] = (c.name, c.node_id)
    return names


def _view(args: argparse.Namespace):
    from pmwizard.checks.elections import read_view

    return asyncio.run(read_view(args.rpc, args.api, _names(args), args.scan_blocks, args.timeout))


def _member_line(m: dict[str, Any]) -> str:
    from pmwizard.core.shown import visible

    name = visible(m.get("name") or "(no card)")
    return f"  {name:<24} power {m['power']:>6}  {m['share'] * 100:5.1f}%  {m['address']}  node {m['node_id'] or '?'}"


def cmd_show(args: argparse.Namespace) -> int:
    view = _view(args)
    doc = view.to_json()
    if args.json:
        print_json(doc)
        return 0
    live = doc["liveness"]
    print(f"chain {view.chain_id} at height {view.local.height}: {len(doc['validators'])} validators, total power "
          f"{doc['total_power']}")
    for m in doc["validators"]:
        print(_member_line(m))
    print(f"largest power a change may propose: {doc['largest_allowed_power']} (Planetmint refuses 1/3 of the total "
          "or more)")
    print(f"an election concludes with {doc['power_needed_for_an_election']} of {doc['total_power']} power approving")
    if live["every_member_must_stay_up"]:
        print(f"liveness: every member must stay up (blocks need {live['power_to_commit']} of {live['total_power']})")
    else:
        print(f"liveness: blocks need {live['power_to_commit']} of {live['total_power']} power; up to "
              f"{live['power_that_may_be_down']} may be down "
              f"({live['members_that_may_be_down']} of the largest members)")
    if not doc["planetmint_agrees"]:
        print("warning: Planetmint's /api/v1/validators differs from Tendermint's /validators (a change is being "
              "applied: it takes effect two blocks after the vote that concludes it)")
    for e in doc["elections_in_progress"]:
        print(f"election in progress: {e['election_id']}: {e['explanation']}")
    if not doc["elections_in_progress"]:
        print("no election in progress")
    return 0


def _key_file(args: argparse.Namespace) -> Path:
    if args.key_file:
        return Path(args.key_file)
    from pmwizard.core.paths import tendermint_home

    return tendermint_home(home_arg(args)) / "config" / "priv_validator_key.json"


def _print_findings(findings: list) -> None:
    from pmwizard.core.shown import visible

    for f in findings:
        print(f"  {str(f.status).upper():<5} {f.check} {f.code}: {visible(f.message)}")
        if f.fix and str(f.status) != "pass":
            print(f"        fix: {visible(f.fix)}")


def _propose(args: argparse.Namespace, action: str) -> int:
    from pmwizard.checks import elections as el
    from pmwizard.checks.finding import exit_code, report_json
    from pmwizard.checks.planetmint_cli import PlanetmintCli, PlanetmintFailed
    from pmwizard.core.plan import Plan
    from pmwizard.core.shown import visible
    from pmwizard.core.valset import describe_change

    view = _view(args)
    change = el.change_from(args.member, action, getattr(args, "power", 0), view)
    key_file = _key_file(args)
    findings = asyncio.run(el.preflight(view, change, key_file, args.member_rpc, args.timeout,
                                        tuple(args.nameserver)))
    after = view.planetmint_set.after(change.pub_key, change.power, change.name, change.node_id)
    lines = list(describe_change(view.planetmint_set, after))
    failed = exit_code(findings) != 0
    if not args.json:
        print(f"{action} on chain {view.chain_id}:")
        for ln in lines:
            print(f"  {visible(ln)}")
        print(f"  total power {view.planetmint_set.total} -> {after.total}; set after SHA-256 {after.sha256()}")
        print("pre-flight:")
        _print_findings(findings)
    doc: dict[str, Any] = {"action": action, "change": lines, **report_json(findings), "election_id": None,
                           "bundle": None}
    if failed:
        if args.json:
            print_json(doc)
        else:
            print("refused: nothing was proposed")
        return 1
    if args.check:
        if args.json:
            print_json(doc)
        else:
            print(f"would propose through Planetmint's CLI and write the election bundle to {args.output}")
        return 0
    cli = PlanetmintCli.find(args.planetmint_bin, args.planetmint_config, args.planetmint_timeout)
    try:
        bundle = asyncio.run(el.propose(view, change, key_file, cli))
    except PlanetmintFailed as exc:
        if not args.json:
            raise
        print_json({**doc, "error": str(exc)})
        return 1
    eid = bundle.election_id
    plan = Plan()
    plan.add(args.output, bundle.text(), notes=(f"election bundle for {eid}",))
    written = plan.apply()
    doc.update(election_id=eid, bundle=str(Path(args.output).absolute()), set_after_sha256=bundle.set_after_sha256)
    if args.json:
        print_json(doc)
    else:
        print(f"proposed: election {eid}")
        for w in written:
            print(f"wrote {w.path}" + (f" (previous version kept as {w.backup})" if w.backup else ""))
        print(f"send {args.output} to every validator; each runs `pmwizard validators vote {args.output} --yes`")
        print(f"set after SHA-256 {bundle.set_after_sha256} (read it out: voters compare it)")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    return _propose(args, "add")


def cmd_remove(args: argparse.Namespace) -> int:
    return _propose(args, "remove")


def cmd_set_power(args: argparse.Namespace) -> int:
    return _propose(args, "set-power")


def cmd_vote(args: argparse.Namespace) -> int:
    from pmwizard.cli.validators_vote import run_vote

    return run_vote(args, _names(args), _key_file(args))


def cmd_status(args: argparse.Namespace) -> int:
    from pmwizard.cli.validators_vote import run_status

    return run_status(args, _names(args))


def cmd_migrate(args: argparse.Namespace) -> int:
    from pmwizard.cli.validators_migrate import run_migrate

    return run_migrate(args)


def _common(p: argparse.ArgumentParser, json_flag: bool = True) -> None:
    p.add_argument("--rpc", default=DEFAULT_RPC, metavar="URL",
                   help=f"this node's Tendermint RPC (default {DEFAULT_RPC})")
    p.add_argument("--api", default=DEFAULT_API, metavar="URL",
                   help=f"this node's Planetmint API (default {DEFAULT_API})")
    p.add_argument("--cards", nargs="+", default=[], metavar="CARD", help="member cards (files or folders): names")
    p.add_argument("--genesis", metavar="FILE", help="the network's genesis.json: names of the first members")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds per request (default 5)")
    p.add_argument("--scan-blocks", type=int, default=2000, metavar="N",
                   help="how many recent blocks are searched for elections in progress (default 2000)")
    if json_flag:
        p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _planetmint(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key-file", metavar="FILE", help="this validator's key file (default: the home's "
                   "config/priv_validator_key.json); only its path is given to Planetmint")
    p.add_argument("--planetmint-bin", metavar="PATH", help="planetmint executable (default: on PATH)")
    p.add_argument("--planetmint-config", metavar="FILE", help="this node's Planetmint config (default ~/.planetmint)")
    p.add_argument("--planetmint-timeout", type=float, default=60.0, metavar="S",
                   help="seconds Planetmint's CLI may take (default 60)")
    add_home(p)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("validators", help="the running network's validator set: show, add, remove, vote",
                              description="Change a running network's validator set through Planetmint's elections.")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = sub.add_parser("show", help="the live set, the largest power a change may have, elections in progress")
    _common(show)
    show.set_defaults(func=cmd_show)
    for name, func, helptext in (("add", cmd_add, "propose a new validator (its card) with --power N"),
                                 ("remove", cmd_remove, "propose removing a validator (card, node id or pub_key)"),
                                 ("set-power", cmd_set_power, "propose a new power for a validator")):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("member", metavar="CARD" if name == "add" else "CARD|NODE_ID")
        if name != "remove":
            q.add_argument("--power", type=int, required=True, help="the proposed power (under 1/3 of the total)")
        q.add_argument("--member-rpc", metavar="URL", help="the new member's Tendermint RPC: checks it caught up")
        q.add_argument("--nameserver", action="append", default=[], metavar="IP[:PORT]",
                       help="resolve the member's host name through this DNS server (repeatable)")
        q.add_argument("-o", "--output", default="election-bundle.json", metavar="FILE",
                       help="where the election bundle goes (default election-bundle.json)")
        _common(q)
        _planetmint(q)
        add_check_yes(q)
        q.set_defaults(func=func)
    vote = sub.add_parser("vote", help="approve an election (bundle file or id), after checking what it changes")
    vote.add_argument("election", metavar="BUNDLE|ID")
    vote.add_argument("--wait", type=float, default=60.0, metavar="S",
                      help="how long to wait for this node to have the election, and for the vote (default 60)")
    _common(vote)
    _planetmint(vote)
    add_check_yes(vote)
    vote.set_defaults(func=cmd_vote)
    status = sub.add_parser("status", help="an election's tally: approved / needed power, who voted, its state")
    status.add_argument("election", metavar="BUNDLE|ID")
    status.add_argument("--member", action="append", default=[], metavar="RPC,API",
                        help="another member's RPC and API URLs: checks its two validator lists agree (repeatable)")
    status.add_argument("--wait", type=float, default=0.0, metavar="S",
                        help="follow the tally until the election concludes or S seconds pass")
    _common(status)
    status.set_defaults(func=cmd_status)
    mig = sub.add_parser("migrate", help="after a chain migration concluded: the new chain's genesis.json, "
                         "the node's data copied first")
    mig.add_argument("election", metavar="ID", help="the chain-migration election's id")
    mig.add_argument("--show", metavar="FILE", help="the saved output of `planetmint election show ID` "
                     "(default: run it)")
    mig.add_argument("--genesis-time", metavar="RFC3339", help="the new genesis_time (default: the old "
                     "genesis's, so every validator builds the same file)")
    mig.add_argument("--json", action="store_true", help="one JSON document on stdout")
    mig.add_argument("--planetmint-bin", metavar="PATH", help="planetmint executable (default: on PATH)")
    mig.add_argument("--planetmint-config", metavar="FILE",
                     help="this node's Planetmint config (default ~/.planetmint)")
    mig.add_argument("--planetmint-timeout", type=float, default=60.0, metavar="S",
                     help="seconds Planetmint's CLI may take (default 60)")
    add_home(mig)
    add_check_yes(mig)
    mig.set_defaults(func=cmd_migrate)
