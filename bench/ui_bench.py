#!/usr/bin/env python3
"""Benchmark (not a test): does the wizard stay responsive while the doctor runs? (SPEC §8)

The troubleshoot screen checks 50 members whose DNS, TLS and P2P handshake each answer after 200 ms (the
servers of doctor_bench.py, one node per member with its own key, all in a child process as they are on
other machines in a real network). While the findings stream in, a probe on the
app's event loop asks to wake every 10 ms and records how late it woke: that lateness is how long a key
press would wait. Prints the lag during the run next to the lag of the idle app, and how long a key
pressed during the run took to move the focus.

    python bench/ui_bench.py [--members 50] [--delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from doctor_bench import ZONE, MemberServers

from pmwizard.core import cards
from pmwizard.tui.app import make_app
from pmwizard.tui.context import WizardContext
from tests.support.pki import TestPKI

TICK = 0.010


async def lateness(stop: asyncio.Event) -> list[float]:
    """How late each 10 ms wake-up of the event loop came, until `stop`."""
    late = []
    while not stop.is_set():
        t0 = time.perf_counter()
        await asyncio.sleep(TICK)
        late.append(time.perf_counter() - t0 - TICK)
    return late


def summary(name: str, late: list[float]) -> str:
    ms = sorted(x * 1000 for x in late)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (f"{name}: {len(ms)} wake-ups, median late {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, "
            f"worst {ms[-1]:.1f} ms")


async def measure(members: int, delay: float) -> dict:
    """The event loop's lateness idle and during a troubleshoot run (seconds), the run's length, the findings
    shown and how long a key press took to move the focus (ms)."""
    tmp = Path(tempfile.mkdtemp(prefix="pmwizard-uibench-"))
    pki = TestPKI("bench")
    cert, key = pki.leaf([f"*.{ZONE}"]).write(tmp, "bench")
    root = str(pki.write_root(tmp / "root.pem"))
    folder = tmp / "cards"
    folder.mkdir()
    with MemberServers(tmp, members, delay, cert, key) as (nameserver, tls_port, nodes):
        for i, (home, port) in enumerate(nodes, 1):
            card = cards.export_card(home, f"m{i}.{ZONE}", name=f"member {i}", p2p_port=port)
            (folder / f"m{i}.json").write_text(cards.card_text(card))
        ctx = WizardContext(home=tmp / "home", state_dir=tmp / "state", nameservers=[nameserver],
                            ca_file=root, timeout=5.0, tls_port=tls_port)
        app = make_app(ctx)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.open_journey("troubleshoot")
            await pilot.pause()
            screen.query_one("#target").value = ""
            screen.query_one("#cards").value = str(folder)
            stop = asyncio.Event()
            probe = asyncio.create_task(lateness(stop))
            await asyncio.sleep(1.0)
            stop.set()
            idle = await probe

            stop = asyncio.Event()
            probe = asyncio.create_task(lateness(stop))
            started = time.perf_counter()
            screen.query_one("#run").press()
            await asyncio.sleep(0.5)  # the run is under way: findings are arriving
            before = app.focused
            t0 = time.perf_counter()
            press = asyncio.create_task(pilot.press("tab"))
            while app.focused is before and time.perf_counter() - t0 < 30:  # noqa: ASYNC110 - Textual's focus has no event to await; the poll is what is timed
                await asyncio.sleep(0.001)
            key_ms = (time.perf_counter() - t0) * 1000
            await press
            await app.workers.wait_for_complete()
            run_s = time.perf_counter() - started
            stop.set()
            busy = await probe
            shown = len(screen.query_one("#findings").findings)
    return {"idle": idle, "busy": busy, "run_s": run_s, "shown": shown, "key_ms": key_ms}


async def main(members: int, delay: float) -> None:
    m = await measure(members, delay)
    idle, busy, run_s, shown, key_ms = m["idle"], m["busy"], m["run_s"], m["shown"], m["key_ms"]
    print(f"troubleshoot over {members} members, every DNS/TLS/P2P answer delayed {delay * 1000:.0f} ms: "
          f"{run_s:.2f} s, {shown} findings shown")
    print(summary("idle app       ", idle))
    print(summary("during the run ", busy))
    print(f"a key pressed during the run moved the focus after {key_ms:.1f} ms")
    print(f"worst lag during the run / worst idle: {max(busy) / max(max(idle), 1e-3):.1f}x "
          f"({max(busy) * 1000:.0f} ms; a key press waits at most this long)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.2)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.delay))
