"""`pmwizard validators vote` and `validators status`: the voter's side of an election, and its tally.

A vote is cast only after the election is on this node's chain, matches the bundle it came with (member,
power, proposer, the expected set's SHA-256), and this node's key is one of the election's voters. What is
reported afterwards is what the chain holds, not what Planetmint's CLI printed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from pmwizard.cli.common import print_json


def resolve(target: str) -> tuple[str, Any]:
    from pmwizard.core.election import resolve_target

    return resolve_target(target)


def _who(pub_key: str, names: dict[str, tuple[str, str]]) -> str:
    import base64

    from pmwizard.core.keys import validator_address
    from pmwizard.core.shown import visible

    name = names.get(pub_key, ("", ""))[0]
    return visible(name) if name else validator_address(base64.b64decode(pub_key))


def _names_with(bundle: Any, names: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    out = dict(names)
    if bundle is not None:
        for m in [*bundle.set_before, *bundle.set_after]:
            if isinstance(m, dict) and isinstance(m.get("pub_key"), str) and m.get("name"):
                out.setdefault(m["pub_key"], (str(m["name"]), str(m.get("node_id") or "")))
        mem = bundle.member
        if mem.get("name"):
            out.setdefault(mem["pub_key"], (str(mem["name"]), str(mem.get("node_id") or "")))
    return out


def _describe(e: Any, names: dict[str, tuple[str, str]]) -> list[str]:
    from pmwizard.checks.elections import change_lines
    from pmwizard.core.election import VALIDATOR_ELECTION

    head = [f"election {e.election_id}",
            f"  proposed by {_who(e.proposer, names)}"]
    if e.kind != VALIDATOR_ELECTION:
        return [*head, ("  chain migration: block production halts once it concludes; the network restarts from a "
                       "new genesis (see `planetmint election show`)")]
    action = "remove" if e.power == 0 else "set"
    head.append(f"  {action} {_who(e.pub_key, names)} (node {e.node_id}) "
                + ("" if e.power == 0 else f"to power {e.power}"))
    head.append(f"  set before: total {e.total}; after: total {e.set_after().total}")
    return head + [f"  {ln}" for ln in change_lines(e, names)]


def run_vote(args: argparse.Namespace, names: dict[str, tuple[str, str]], key_file: Path) -> int:
    from pmwizard.checks.planetmint_cli import PlanetmintCli
    from pmwizard.checks.voting import cast_vote

    eid, bundle = resolve(args.election)
    names = _names_with(bundle, names)
    cli = None if args.check else PlanetmintCli.find(args.planetmint_bin, args.planetmint_config,
                                                      args.planetmint_timeout)
    out = asyncio.run(cast_vote(args.rpc, args.api, eid, bundle, key_file, cli, args.wait, args.timeout))
    if args.json:
        print_json(out.to_json())
    else:
        for line in _describe(out.election, names) if out.election else []:
            print(line)
        print(f"refused: {out.refused}" if out.refused else out.result)
    return 0 if out.ok else 1


def _applied(args: argparse.Namespace, e: Any) -> dict[str, Any]:
    """After a validator election concluded: do both lists say so, everywhere asked, and does it sign?"""
    from pmwizard.checks import elections as el
    from pmwizard.checks import network as net
    from pmwizard.core.valset import Member

    pairs = [(args.rpc, args.api)] + [tuple(m.split(",", 1)) for m in args.member if "," in m]
    tm = asyncio.run(net.tendermint_validators(args.rpc, args.timeout))
    pm = asyncio.run(net.planetmint_validators(args.api, args.timeout))
    want = e.set_after()
    out: dict[str, Any] = {
        "tendermint_applied": tm.same_powers(want),
        "planetmint_applied": pm.same_powers(want),
        "members": asyncio.run(el.agreement(pairs, args.timeout)),
        "member_signs_blocks": None,
    }
    if e.power > 0:
        height = asyncio.run(net.status(args.rpc, args.timeout)).height
        address = Member(e.pub_key, e.power).address
        signed = False
        for h in range(max(1, height - 5), height):
            if address in asyncio.run(net.signers(args.rpc, h, args.timeout)):
                signed = True
                break
        out["member_signs_blocks"] = signed
    return out


def run_status(args: argparse.Namespace, names: dict[str, tuple[str, str]]) -> int:
    from pmwizard.checks import network as net
    from pmwizard.core.election import VALIDATOR_ELECTION
    from pmwizard.errors import PmwizardError

    eid, bundle = resolve(args.election)
    names = _names_with(bundle, names)
    e = asyncio.run(net.election(args.api, eid, args.timeout))
    if e is None:
        raise PmwizardError(f"election {eid}: not on this node's chain ({args.api}); check the id, "
                            "or wait for the node to catch up")
    if not args.json:
        for line in _describe(e, names):
            print(line)
    deadline = time.monotonic() + args.wait
    seen = -1
    while True:
        current = asyncio.run(net.planetmint_validators(args.api, args.timeout))
        state = asyncio.run(net.election_state(args.rpc, args.api, e, current, args.timeout))
        if not args.json and state.tally.approved != seen:
            seen = state.tally.approved
            print(f"{state.status}: {state.why}")
        if state.status != "ongoing" or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    voters: list[dict[str, Any]] = [
        {"pub_key": k, "name": names.get(k, ("", ""))[0], "power": p, "voted": k in state.tally.votes}
        for k, p in sorted(e.voters.items(), key=lambda kv: -kv[1])]
    doc = {**state.to_json(), "voters": voters}
    if state.status == "concluded" and e.kind == VALIDATOR_ELECTION:
        doc["applied"] = _applied(args, e)
    if args.json:
        print_json(doc)
        return 0
    for v in voters:
        print(f"  {'voted  ' if v['voted'] else 'not yet'}  {_who(v['pub_key'], names):<24} power {v['power']}")
    applied = doc.get("applied")
    if applied:
        print(f"Tendermint /validators has the new set: {'yes' if applied['tendermint_applied'] else 'not yet'}; "
              f"Planetmint /api/v1/validators: {'yes' if applied['planetmint_applied'] else 'not yet'} (a change "
              "takes effect two blocks after the concluding vote)")
        for m in applied["members"]:
            print(f"  {m['rpc']}: " + ("lists agree" if m["agree"] else f"lists differ {m.get('error', '')}"))
        if applied["member_signs_blocks"] is not None:
            print(f"the member signed one of the last blocks: {'yes' if applied['member_signs_blocks'] else 'no'}")
    return 0
