#!/usr/bin/env python3
"""Benchmark (not a test): a genesis from N signed member cards: read + verify every card file, look for
conflicts, build the genesis, validate it and write it (SPEC §8: 1,000 cards under 1 s, memory linear).

    python bench/genesis_bench.py [--sizes 100 1000]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nacl.signing import SigningKey

from pmwizard.core.cards import MemberCard, card_text, find_conflicts, read_cards, signed_bytes
from pmwizard.core.genesis import new_genesis
from pmwizard.core.plan import Plan


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
        signed = MemberCard(*[getattr(card, f) for f in ("name", "hostname", "p2p_port", "pub_key", "node_id",
                                                          "node_pub_key", "created")], sigs)
        (folder / f"card{i:05d}.json").write_text(card_text(signed))


def run(folder: Path, out: Path) -> int:
    checks = read_cards(folder)
    cards = [c.card for c in checks if c.valid and c.signed]
    assert len(cards) == len(checks), "every card verifies"
    assert not find_conflicts(cards)
    plan = Plan()
    plan.add(out, new_genesis(cards, chain_id="bench", genesis_time="2026-11-23T08:00:00Z"))
    plan.apply()
    return len(cards)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        import os

        os.environ["XDG_STATE_HOME"] = str(Path(tmp) / "state")
        last: tuple[int, int] | None = None
        for n in args.sizes:
            folder = Path(tmp) / f"cards{n}"
            folder.mkdir()
            make_cards(folder, n)
            out = Path(tmp) / f"genesis{n}.json"
            run(folder, out)  # warm-up (imports, file cache)
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                run(folder, out)
                times.append(time.perf_counter() - t0)
            tracemalloc.start()
            run(folder, out)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            grow = f", +{(peak - last[1]) / (n - last[0]) / 1e3:.1f} kB per extra card" if last else ""
            print(f"{n:5d} cards: best {min(times):.3f} s (of 3), peak Python memory {peak / 1e6:.1f} MB{grow}")
            last = (n, peak)


if __name__ == "__main__":
    main()
