#!/usr/bin/env python3
"""Benchmark (not a test): a genesis from N signed member cards, the coordinator's whole path:
read + verify every card file (both ed25519 signatures), look for conflicts, build the genesis (which
validates its own output), write it through a Plan, and validate the written file as a member would.
SPEC §8: 1,000 cards under 1 s; memory grows linearly.

    python bench/genesis_bench.py [--sizes 100 1000 2000] [--repeat 3]

Cards are made with pynacl keys and pmwizard.core.cards (signed_bytes, card_text), one file each.
Memory is tracemalloc's peak over the genesis stages (reading to validating); the write is measured apart
because Plan.apply's bounded read of the old file allocates a fixed buffer whatever the size.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nacl.signing import SigningKey

from pmwizard.core.cards import MemberCard, card_text, find_conflicts, read_cards, signed_bytes
from pmwizard.core.genesis import new_genesis, read_genesis
from pmwizard.core.plan import Plan

STAGES = ("read+verify", "conflicts", "build", "write", "validate")


def make_cards(folder: Path, n: int) -> None:
    for i in range(n):
        v, node = SigningKey.generate(), SigningKey.generate()
        vpub, npub = bytes(v.verify_key), bytes(node.verify_key)
        card = MemberCard(f"member {i}", f"node{i}.bench.example", 26656, base64.b64encode(vpub).decode(),
                          hashlib.sha256(npub).digest()[:20].hex(), base64.b64encode(npub).decode(),
                          "2026-11-23T08:00:00Z")
        msg = signed_bytes(card.unsigned_json())
        sigs = {"validator": base64.b64encode(v.sign(msg).signature).decode(),
                "node": base64.b64encode(node.sign(msg).signature).decode()}
        signed = MemberCard(card.name, card.hostname, card.p2p_port, card.pub_key, card.node_id, card.node_pub_key,
                            card.created, sigs)
        (folder / f"card{i:05d}.json").write_text(card_text(signed))


def run(folder: Path, out: Path, clock: Callable[[str], None]) -> int:
    """One coordinator run; `clock(stage)` is called after each stage."""
    checks = read_cards(folder)
    cards = [c.card for c in checks if c.valid and c.signed and c.card]
    assert len(cards) == len(checks), "every card verifies"
    clock("read+verify")
    assert not find_conflicts(cards)
    clock("conflicts")
    text = new_genesis(cards, chain_id="bench", genesis_time="2026-11-23T08:00:00Z")
    clock("build")
    plan = Plan()
    plan.add(out, text)
    plan.apply()
    clock("write")
    report = read_genesis(out)
    assert report.valid and len(report.validators) == len(cards)
    clock("validate")
    return len(cards)


def timed(folder: Path, out: Path) -> dict[str, float]:
    marks: dict[str, float] = {}
    last = [time.perf_counter()]

    def clock(stage: str) -> None:
        now = time.perf_counter()
        marks[stage] = now - last[0]
        last[0] = now

    run(folder, out, clock)
    return marks


def peak_memory(folder: Path, out: Path) -> tuple[int, int]:
    """(peak bytes over the genesis stages without the write, peak bytes of the write)."""
    peaks: dict[str, int] = {}

    def clock(stage: str) -> None:
        peaks[stage] = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()

    tracemalloc.start()
    try:
        run(folder, out, clock)
    finally:
        tracemalloc.stop()
    return max(v for k, v in peaks.items() if k != "write"), peaks["write"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")  # never the real state folder
        for n in args.sizes:
            folder = Path(tmp) / f"cards{n}"
            folder.mkdir()
            make_cards(folder, n)
            out = Path(tmp) / f"genesis{n}.json"
            timed(folder, out)  # warm-up: imports, file cache
            runs = [timed(folder, out) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: sum(r.values()))
            mem, write_mem = peak_memory(folder, out)
            rows.append({"n": n, "total": sum(best.values()), "stages": best, "mem": mem, "write_mem": write_mem,
                         "bytes": out.stat().st_size})
    print(f"genesis from signed card files, best of {args.repeat} (seconds); peak Python memory (tracemalloc)")
    print(f"{'cards':>6} {'total':>7} " + " ".join(f"{s:>11}" for s in STAGES) + f" {'genesis':>9} {'peak MB':>8}"
          f" {'kB/card':>8} {'write MB':>8}")
    for r in rows:
        print(f"{r['n']:>6} {r['total']:>7.3f} " + " ".join(f"{r['stages'][s]:>11.3f}" for s in STAGES)
              + f" {r['bytes'] / 1e3:>7.0f}kB {r['mem'] / 1e6:>8.2f} {r['mem'] / r['n'] / 1e3:>8.1f}"
              f" {r['write_mem'] / 1e6:>8.2f}")
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        print(f"growth {a['n']} -> {b['n']} cards (x{b['n'] / a['n']:.0f}): time x{b['total'] / a['total']:.1f}, "
              f"memory x{b['mem'] / a['mem']:.1f}")
    target = next((r for r in rows if r["n"] == 1000), None)
    if target:
        print(f"1,000 cards: {target['total']:.3f} s (target < 1 s: {'met' if target['total'] < 1 else 'MISSED'})")


if __name__ == "__main__":
    main()
