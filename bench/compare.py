#!/usr/bin/env python3
"""Benchmark (not a test): every performance goal of issue 17 in one run, each pmwizard figure side by side
with the anchor measured in the same run on the same work (ratios: the machine may be shared and noisy).

    python bench/compare.py [--runs 11] [--quick] [--pmwizard VENV/bin/pmwizard]

Without --pmwizard it runs `python -m pmwizard` from this checkout with the interpreter running it; with it,
the installed console script operators run (e.g. from a venv of the distribution's python3 with the wheel
installed: `python3 -m venv /tmp/v && /tmp/v/bin/pip install .`), and `python -c pass` with that script's
interpreter.

Whole processes, alternating with their anchors, median of --runs:
  pmwizard --version                      vs python -c pass                          (goal <= 2.5x)
  pmwizard identity show                  vs tendermint show-node-id + show-validator (goal <= 2x)
  pmwizard check p2p 127.0.0.1:P2P        vs curl http://127.0.0.1:RPC/status (a real node)  (goal <= 3x)
  pmwizard check tls 127.0.0.1 --port P   vs openssl s_client (a loopback TLS server)         (goal <= 3x)
  pmwizard check dns NAME --nameserver    vs kdig (or dig) @127.0.0.1 NAME (a loopback DNS server) (goal <= 3x)
  pmwizard genesis validate (10,000 validators) vs tendermint replay on the same file    (goal <= 1.0x)
  python -c 'import asyncio'             vs curl --version (the floor under every check command)
In process: doctor over 200 slow members vs one member (<= 1.5x), the wizard's event-loop lag while
troubleshooting 50 slow members (<= 50 ms worst), a review-table key press at 1,000 cards vs a bare DataTable
updating one cell (<= 2x). Needs the tendermint binary (scripts/build-tendermint.sh), curl, openssl, and kdig
(knot-dnsutils) or dig; a row whose tool is missing says so.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.support.dnsserver import DelayedDnsServer  # noqa: E402 - importable only after the sys.path lines above
from tests.support.pki import TestPKI  # noqa: E402 - importable only after the sys.path lines above
from tests.support.ports import free_port  # noqa: E402 - importable only after the sys.path lines above
from tests.support.tlsserver import tls_server  # noqa: E402 - importable only after the sys.path lines above

PM = [sys.executable, "-m", "pmwizard"]
PYTHON = sys.executable  # the interpreter pmwizard runs on: the anchor of `--version`
INSTALLED = False
rows: list[tuple[str, str, str, float | None, str, bool | None]] = []


def env() -> dict[str, str]:
    """The worktree's code first; bytecode cached as an installed package has it (measured warm)."""
    e = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if not INSTALLED:
        e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def median_pair(ours: Sequence[Sequence[str]], anchor: Sequence[Sequence[str]], runs: int) -> tuple[float, float]:
    """Median wall time of running each command list in turn (one sample = all commands of a side),
    alternating the two sides so both see the same load."""
    e = env()

    def once(commands: Sequence[Sequence[str]]) -> float:
        start = time.perf_counter()
        for c in commands:
            subprocess.run(c, capture_output=True, env=e, timeout=120, check=False)
        return time.perf_counter() - start

    once(ours), once(anchor)  # warm-up: bytecode, file cache
    a, b = [], []
    for _ in range(runs):
        a.append(once(ours))
        b.append(once(anchor))
    return statistics.median(a), statistics.median(b)


def row(goal: str, ours: float | None, anchor: float | None, what: str, target: float, unit: str = "ms") -> None:
    if ours is None or anchor is None:
        rows.append((goal, "-", "-", None, f"<= {target:g}x", None))
        return
    ratio = ours / anchor

    def shown(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms" if unit == "ms" else f"{seconds:.2f} s"

    rows.append((goal, shown(ours), f"{shown(anchor)} ({what})", ratio, f"<= {target:g}x", ratio <= target))


def tendermint() -> str | None:
    found = os.environ.get("PMWIZARD_TENDERMINT") or shutil.which("tendermint")
    built = Path.home() / ".cache/pmwizard-tm/tendermint"
    return found or (str(built) if os.access(built, os.X_OK) else None)


def startup(runs: int, tm: str | None, tmp: Path) -> None:
    ours, anchor = median_pair([[*PM, "--version"]], [[PYTHON, "-c", "pass"]], runs)
    row("pmwizard --version", ours, anchor, "python -c pass", 2.5)
    if tm is None:
        row("identity show", None, None, "", 2)
        return
    home = tmp / "home"
    subprocess.run([tm, "init", "--home", str(home)], capture_output=True, check=True, timeout=60)
    ours, anchor = median_pair([[*PM, "identity", "show", "--home", str(home)]],
                               [[tm, "show-node-id", "--home", str(home)], [tm, "show-validator", "--home", str(home)]],
                               runs)
    row("identity show", ours, anchor, "show-node-id + show-validator", 2)


def check_p2p(runs: int, tm: str | None, tmp: Path) -> None:
    if tm is None or not shutil.which("curl"):
        row("check p2p", None, None, "", 3)
        return
    home = tmp / "node"
    subprocess.run([tm, "init", "--home", str(home)], capture_output=True, check=True, timeout=60)
    p2p, rpc = free_port(), free_port()
    with open(tmp / "node.log", "wb") as log:
        node = subprocess.Popen([tm, "node", "--home", str(home), "--proxy_app=kvstore", "--p2p.laddr",
                                 f"tcp://127.0.0.1:{p2p}", "--rpc.laddr", f"tcp://127.0.0.1:{rpc}"],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(["curl", "-sf", f"http://127.0.0.1:{rpc}/status"], capture_output=True,
                             check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the node did not answer; see {tmp / 'node.log'}")
            time.sleep(0.2)
        ours, anchor = median_pair([[*PM, "check", "p2p", f"127.0.0.1:{p2p}"]],
                                   [["curl", "-s", f"http://127.0.0.1:{rpc}/status"]], runs)
        row("check p2p (a real node)", ours, anchor, "curl RPC /status", 3)
    finally:
        node.terminate()
        node.wait(15)


def interpreter_floor(runs: int) -> None:
    """What any asyncio-based Python check pays before its own first line: the interpreter and asyncio (which
    loads ssl, logging, concurrent.futures), next to curl printing its version (a C tool's start-up)."""
    if not shutil.which("curl"):
        return
    ours, anchor = median_pair([[PYTHON, "-c", "import asyncio"]], [["curl", "--version"]], runs)
    row("floor: python -c 'import asyncio'", ours, anchor, "curl --version", 3)


def check_tls(runs: int, tmp: Path) -> None:
    if not shutil.which("openssl"):
        row("check tls", None, None, "", 3)
        return
    pki = TestPKI("compare")
    cert, key = pki.leaf(["localhost"]).write(tmp, "tls")
    root = pki.write_root(tmp / "root.pem")
    with tls_server(cert, key) as server:
        ours, anchor = median_pair(
            [[*PM, "check", "tls", "127.0.0.1", "--port", str(server.port), "--ca-file", str(root)]],
            [["openssl", "s_client", "-connect", f"127.0.0.1:{server.port}", "-CAfile", str(root)]], runs)
    row("check tls (a loopback server)", ours, anchor, "openssl s_client", 3)


def check_dns(runs: int) -> None:
    dig = shutil.which("kdig") or shutil.which("dig")
    if dig is None:
        row("check dns", None, None, "", 3)
        return
    zone = "compare.test"
    records = {(zone, "SOA"): [f"ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 300"],
               (zone, "NS"): [f"ns.{zone}."], (f"ns.{zone}", "A"): ["127.0.0.1"],
               (f"node.{zone}", "A"): ["192.0.2.10"]}
    with DelayedDnsServer(records, delay=0.0) as server:
        ours, anchor = median_pair(
            [[*PM, "check", "dns", f"node.{zone}", "--nameserver", server.nameserver]],
            [[dig, "@127.0.0.1", "-p", str(server.port), f"node.{zone}", "A"]], runs)
    row("check dns (a loopback server)", ours, anchor, Path(dig).name, 3)


def genesis_file(path: Path, n: int) -> None:
    from pmwizard.core.genesis import default_params, layout

    validators = []
    for i in range(n):
        pub = hashlib.sha256(b"compare %d" % i).digest()
        validators.append({"address": hashlib.sha256(pub).digest()[:20].hex().upper(),
                           "pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(pub).decode()},
                           "power": "10", "name": f"member {i}"})
    doc = {"genesis_time": "2026-11-23T08:00:00Z", "chain_id": "compare", "initial_height": "1",
           "consensus_params": default_params(), "validators": validators, "app_hash": ""}
    path.write_text(layout(doc))


def genesis(runs: int, tm: str | None, tmp: Path) -> None:
    if tm is None:
        row("genesis validate, 10,000 validators", None, None, "", 1.0)
        return
    home = tmp / "replay"
    subprocess.run([tm, "init", "--home", str(home)], capture_output=True, check=True, timeout=60)
    config = home / "config/config.toml"
    config.write_text(config.read_text().replace('proxy_app = "tcp://127.0.0.1:26658"', 'proxy_app = "kvstore"'))
    genesis_file(home / "config/genesis.json", 10000)
    # replay reads genesis.json as `tendermint node` does, builds the validator set, then stops; a fresh data
    # folder each time (the script is part of the anchor: a shell and an rm -rf, a few ms)
    script = tmp / "replay.sh"
    script.write_text(f'#!/bin/sh\nrm -rf "{home}/data"; mkdir "{home}/data"; exec "{tm}" replay --home "{home}"\n')
    script.chmod(0o755)
    ours, anchor = median_pair([[*PM, "genesis", "validate", str(home / "config/genesis.json")]], [[str(script)]],
                               max(3, runs // 2))
    row("genesis validate, 10,000 validators", ours, anchor, "tendermint replay", 1.0)


def doctor(members: int) -> None:
    import doctor_bench

    m = asyncio.run(doctor_bench.measure(members, 0.2))
    row(f"doctor, {members} slow members", m["whole"], m["one"], "one member", 1.5, unit="s")


def ui(members: int) -> None:
    import ui_bench

    m = asyncio.run(ui_bench.measure(members, 0.2))
    worst = max(m["busy"])
    rows.append((f"wizard loop lag, troubleshooting {members}", f"{worst * 1000:.0f} ms worst",
                 f"{max(m['idle']) * 1000:.0f} ms (idle app)", None, "<= 50 ms", worst <= 0.050))


def review(cards: int) -> None:
    import review_bench

    m = asyncio.run(review_bench.measure(cards, 15))
    anchor = statistics.median(m["bare DataTable, one cell"])
    for what in ("review: Space (accept/reject)", "review: Apply (rename)"):
        row(f"{what}, {cards} cards", statistics.median(m[what]), anchor, "bare DataTable, one cell", 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="fewer runs, 50 doctor members (a smoke run)")
    ap.add_argument("--pmwizard", metavar="SCRIPT", help="an installed pmwizard console script to measure")
    args = ap.parse_args()
    if args.pmwizard:
        global PM, PYTHON, INSTALLED
        script = Path(args.pmwizard)
        PM, INSTALLED = [str(script)], True
        PYTHON = script.read_text(errors="replace").splitlines()[0].removeprefix("#!").strip()
    runs = 3 if args.quick else args.runs
    tm = tendermint()
    with tempfile.TemporaryDirectory(prefix="pmwizard-compare-") as t:
        tmp = Path(t)
        os.environ["XDG_STATE_HOME"] = str(tmp / "state")  # never the real state folder
        startup(runs, tm, tmp)
        check_p2p(runs, tm, tmp)
        interpreter_floor(runs)
        check_tls(runs, tmp)
        check_dns(runs)
        genesis(runs, tm, tmp)
        doctor(50 if args.quick else 200)
        ui(50)
        review(1000)
    load = os.getloadavg()
    print(f"pmwizard next to its anchors, median of {runs} alternating runs; load average {load[0]:.1f} "
          f"on {os.cpu_count()} CPUs while measuring; pmwizard: {' '.join(PM)}")
    print(f"| {'goal':40} | {'pmwizard':>14} | {'anchor (what)':45} | {'ratio':>6} | {'target':9} | met |")
    print(f"|{'-' * 42}|{'-' * 16}|{'-' * 47}|{'-' * 8}|{'-' * 11}|-----|")
    for goal, ours, anchor, ratio, target, met in rows:
        shown = f"{ratio:.2f}x" if ratio is not None else "-"
        verdict = "-" if met is None else ("yes" if met else "no")
        print(f"| {goal:40} | {ours:>14} | {anchor:45} | {shown:>6} | {target:9} | {verdict:3} |")


if __name__ == "__main__":
    main()
