"""`pmwizard doctor --network [--watch]`: the running network as this node's RPC (and any member RPC given
with --rpc) shows it: who signs, who is connected, can the chain still make blocks, does it. `--watch`
refreshes in place on a terminal, or prints one JSON document per line with --json; the exit code is the
last round's (0 ok or warnings, 1 a problem)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _config(home: Path | None) -> dict:
    import tomllib

    if home is None:
        return {}
    try:
        return tomllib.loads((home / "config" / "config.toml").read_text(errors="replace"))
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def network_inputs(args: argparse.Namespace, cards: list) -> tuple[list[str], list, Path | None, str | None]:
    """(RPC URLs with this node's first, the members, the data folder for the disk check, the metrics URL)."""
    from pmwizard.checks.doctor import parse_rpc_options
    from pmwizard.checks.metrics import metrics_url
    from pmwizard.checks.network_run import members_from_cards, members_from_genesis
    from pmwizard.cli.common import home_arg
    from pmwizard.core.genesis import read_genesis
    from pmwizard.core.paths import tendermint_home
    from pmwizard.errors import InputError, PmwizardError

    rpc = parse_rpc_options(args.rpc)
    try:
        home: Path | None = tendermint_home(home_arg(args))
    except PmwizardError:
        home = None
    if home is not None and not home.exists():
        home = None
    from pmwizard.checks.nodeup import rpc_url_of

    local = rpc.pop("local", None) or rpc_url_of(home)
    urls = [local] + [u for u in rpc.values() if u != local]
    if cards:
        members = members_from_cards(cards)
    else:
        genesis = Path(args.genesis) if args.genesis else (home / "config" / "genesis.json" if home else None)
        members = []
        if genesis is not None and genesis.exists():
            report = read_genesis(genesis)
            if not report.valid:
                raise InputError(report.source, None, "; ".join(report.errors))
            members = members_from_genesis(report)
    metrics = args.metrics or metrics_url(_config(home))
    return urls, members, (home / "data") if home else None, metrics


def cmd_network(args: argparse.Namespace, cards: list) -> int:
    import asyncio

    from pmwizard.checks.finding import exit_code, report_json
    from pmwizard.checks.lookup import parse_nameserver
    from pmwizard.checks.network_run import run_network
    from pmwizard.checks.report import render_text, use_colour

    nameservers = [str(parse_nameserver(n)) for n in args.nameserver]
    urls, members, data_dir, metrics = network_inputs(args, cards)
    rounds = args.count if args.count else (None if args.watch else 1)
    done, code = 0, 0
    try:
        while rounds is None or done < rounds:
            if done:
                time.sleep(args.interval)
            rep = asyncio.run(run_network(urls, members, blocks=args.blocks, timeout=args.timeout,
                                          stall_after=args.stall_after, nameservers=nameservers,
                                          data_dir=data_dir, metrics_url=metrics))
            code, done = exit_code(rep.findings), done + 1
            doc = report_json(rep.findings)
            doc["network"] = {"checked_at": rep.checked_at.isoformat(), "rpc_calls": rep.rpc_calls,
                              "seconds": round(rep.seconds, 3), "rpc": urls}
            if args.json:
                sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n" if args.watch else
                                 json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            else:
                colour = use_colour(sys.stdout)
                if args.watch and sys.stdout.isatty():
                    sys.stdout.write("\033[H\033[2J")
                sys.stdout.write(f"network as {urls[0]} sees it, {rep.checked_at:%H:%M:%S} UTC "
                                 f"({rep.rpc_calls} RPC calls, {rep.seconds:.2f} s)\n")
                sys.stdout.write(render_text(rep.findings, colour=colour))
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    return code


def _bounded(kind: type, low: float, high: float):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"use a value from {low:g} to {high:g}")
        return value
    return parse


def add_network_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("the running network (--network)")
    g.add_argument("--network", action="store_true",
                   help="check the running network through this node's RPC (and every --rpc): signing, "
                        "connections, margin, stalls, catching up, app hash, clocks, disk")
    g.add_argument("--blocks", type=_bounded(int, 1, 100), default=10, metavar="N",
                   help="recent commits to read (default 10)")
    g.add_argument("--stall-after", type=_bounded(float, 1, 86400), default=30.0, metavar="S",
                   help="seconds without a block (with rounds failing or transactions waiting) that make a stall")
    g.add_argument("--metrics", metavar="URL", help="this node's Prometheus metrics (default: from config.toml's "
                   "[instrumentation] when prometheus = true), e.g. http://127.0.0.1:26660/metrics")
    g.add_argument("--watch", action="store_true",
                   help="repeat every --interval seconds (in place on a terminal; JSON lines with --json)")
    g.add_argument("--interval", type=_bounded(float, 0.1, 3600), default=5.0, metavar="S",
                   help="seconds between rounds (default 5)")
    g.add_argument("--count", type=_bounded(int, 0, 10**9), default=0, metavar="N",
                   help="with --watch: stop after N rounds")
