#!/usr/bin/env python3
"""Benchmark (not a test): one `doctor --network` over a real 4-validator and a real 20-validator CometBFT 0.34
network on loopback, made from pmwizard's files (identity init, card export, genesis new, configure).

Prints, for each size, the time of one run and the RPC calls it made: this node's RPC alone, and this node's
plus every member's RPC (--rpc for each). Nothing is asserted.

    python bench/network_bench.py [--sizes 4 20] [--blocks 10]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tomlkit

from pmwizard.checks.network_run import members_from_cards, run_network
from pmwizard.core.cards import read_cards
from tests.support.ports import free_port
from tests.support.tmnet import Node, tendermint_nodes, wait_until


def pmw(*argv: str) -> None:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{argv}: {r.stderr}")


def form(base: Path, n: int) -> tuple[list[Node], list[str]]:
    nodes, cards = [], []
    for i in range(n):
        home, card = base / f"node{i}", base / f"card{i}.json"
        pmw("identity", "init", "--home", str(home))
        pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(free_port()), "--name", f"node{i}",
            "--home", str(home), "-o", str(card))
        nodes.append(Node(home, free_port(), base / f"node{i}.log"))
        cards.append(str(card))
    pmw("genesis", "new", *cards, "--chain-id", f"bench-{n}", "-o", str(base / "genesis.json"))
    for node in nodes:
        pmw("configure", "--genesis", str(base / "genesis.json"), "--peers", *cards, "--rpc-laddr",
            f"tcp://127.0.0.1:{node.rpc_port}", "--home", str(node.home), "--yes")
        path = node.home / "config" / "config.toml"
        doc = tomlkit.parse(path.read_text())
        doc["consensus"]["create_empty_blocks"] = True
        doc["consensus"]["timeout_commit"] = "1s"
        path.write_text(tomlkit.dumps(doc))
    return nodes, cards


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 20])
    ap.add_argument("--blocks", type=int, default=10)
    args = ap.parse_args()
    for n in args.sizes:
        for attempt in range(3):  # a free port taken by another program meanwhile: form the network again
            try:
                once(n, args.blocks)
                break
            except (AssertionError, OSError, ValueError, http.client.HTTPException) as exc:
                print(f"{n} validators: attempt {attempt + 1} failed ({str(exc).splitlines()[0][:120]})")


def once(n: int, blocks: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.monotonic()
        nodes, cards = form(Path(tmp), n)
        members = members_from_cards([read_cards(Path(c))[0].card for c in cards])
        with tendermint_nodes(nodes) as running:
            wait_until(lambda: min(x.height() for x in running) >= blocks + 2, 600,
                       f"{n} validators making blocks", running)
            print(f"{n} validators: network formed and {blocks + 2} blocks in {time.monotonic() - t0:.1f} s")
            urls = [f"http://127.0.0.1:{x.rpc_port}" for x in running]
            for label, which in (("this node's RPC", urls[:1]), (f"all {n} RPCs", urls)):
                rep = asyncio.run(run_network(which, members, blocks=blocks, timeout=5))
                bad = [f"{f.check}/{f.code}" for f in rep.findings if f.status.value != "pass"]
                print(f"  doctor --network, {label}: {rep.seconds * 1000:.0f} ms, {rep.rpc_calls} RPC calls, "
                      f"{len(rep.findings)} findings, not passing: {bad or 'none'}")


if __name__ == "__main__":
    main()
