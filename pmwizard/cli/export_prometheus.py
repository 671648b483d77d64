"""`pmwizard export prometheus -o DIR [CARD...] [--target NAME=HOST:PORT]... (--check|--yes)`: a Prometheus
scrape config for every member's Tendermint metrics and alert rules for missed blocks, stalls, peers and
catching up (render/prometheus.py), previewed and written like every other file."""

from __future__ import annotations

import argparse
from pathlib import Path

from pmwizard.cli.common import add_check_yes, run_plan


def _targets(args: argparse.Namespace) -> list:
    from pmwizard.cli.configure import load_valid_cards
    from pmwizard.core.hostname import validate_hostname
    from pmwizard.errors import InputError
    from pmwizard.render.prometheus import ScrapeTarget

    out = []
    for card in load_valid_cards(args.cards):
        host = f"[{card.hostname}]" if ":" in card.hostname else card.hostname
        out.append(ScrapeTarget(card.name, f"{host}:{args.metrics_port}"))
    for text in args.target:
        name, sep, address = text.partition("=")
        host, colon, port = address.rpartition(":")
        bare = host.strip("[]")
        bad_host = not bare or (validate_hostname(bare) and not _is_ip(bare))
        if not sep or not name.strip() or not colon or not port.isdigit() or not 0 < int(port) < 65536 or bad_host:
            raise InputError("--target", text, "expected NAME=HOST:PORT, e.g. node1=10.0.0.5:26660")
        out.append(ScrapeTarget(name.strip(), address))
    if not out:
        raise InputError("export prometheus", None, "give member cards or --target NAME=HOST:PORT")
    return out


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def cmd_prometheus(args: argparse.Namespace) -> int:
    from pmwizard.core.plan import Plan
    from pmwizard.render.prometheus import RULES_FILE, alert_rules, scrape_config

    targets = _targets(args)
    out = Path(args.output)
    plan = Plan()
    plan.add(out / "prometheus.yml", scrape_config(targets),
             notes=[f"scrape {len(targets)} nodes' Tendermint metrics (`configure --metrics` turns them on)"])
    plan.add(out / RULES_FILE, alert_rules(args.namespace),
             notes=["alerts: stall, halt margin, missed blocks, peers, catching up"])
    return run_plan(plan, args)


def register(targets: argparse._SubParsersAction) -> None:
    p = targets.add_parser("prometheus", help="a Prometheus scrape config and alert rules for the network",
                           description="Write prometheus.yml (every member's Tendermint metrics) and "
                                       "alert rules (stall, halt margin, missed blocks, peers, catching up).")
    p.add_argument("cards", nargs="*", metavar="CARD", help="member cards (files or folders): HOST:METRICS_PORT each")
    p.add_argument("--target", action="append", default=[], metavar="NAME=HOST:PORT",
                   help="a metrics endpoint to scrape (repeatable), e.g. node1=10.0.0.5:26660")
    p.add_argument("--metrics-port", type=int, default=26660, help="the members' metrics port (default 26660)")
    p.add_argument("--namespace", default="tendermint", choices=["tendermint", "cometbft"],
                   help="the metrics' prefix: tendermint (0.34.24, Planetmint's) or cometbft (CometBFT 0.34.2x)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder for prometheus.yml and the rules")
    add_check_yes(p)
    p.set_defaults(func=cmd_prometheus)
