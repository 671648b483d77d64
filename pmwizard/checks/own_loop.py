"""Running a batch of checks on an event loop of its own, in a thread, handing results to the caller's loop.

A doctor over many members has bursts of CPU work: fifty TLS handshakes, key exchanges and DNS replies land
within a few milliseconds of each other when the members answer at the same speed. On the caller's loop
(the wizard's screen) such a burst holds every key press until it is done (hundreds of ms). On a loop of its
own the work still shares the interpreter, but Python hands the GIL back every few milliseconds, so the
caller's loop keeps its pace and only receives results, through call_soon_threadsafe, in order.

While a batch runs, the objects alive when it started (modules, the wizard's app and screens) are frozen out
of the garbage collector's way (gc.freeze): the batch allocates much, which triggers full collections, and a
full collection that walks the whole wizard held the interpreter 55-120 ms (bench/ui_bench.py: the wizard's
worst stall); frozen, it walks only the batch's own objects (15-35 ms). The young generations are collected
every 20,000 allocations instead of 700 meanwhile (a doctor over 200 members allocates millions of short-lived
objects: ~6% of its run). Both are undone when the last batch ends, so nothing stays out of the collector's reach.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
# batches under way in this process, and the collector's thresholds from before the first of them
_batches: dict[str, Any] = {"running": 0, "thresholds": None}


async def on_own_loop(make: Callable[[Callable[[T], None]], Awaitable[R]],
                      deliver: Callable[[T], None] | None = None) -> R:
    """Run `make(relay)` on a new event loop in a worker thread and return its result. Each `relay(item)` made
    there calls `deliver(item)` on the caller's loop, before the result is returned. Cancelling the caller
    cancels the work there, and nothing is delivered after it."""
    caller = asyncio.get_running_loop()
    state: dict[str, Any] = {"stopped": False, "loop": None, "task": None}

    def hand_over(item: T) -> None:
        if not state["stopped"] and deliver is not None:
            deliver(item)

    def relay(item: T) -> None:
        if deliver is not None and not state["stopped"]:
            caller.call_soon_threadsafe(hand_over, item)

    async def main() -> R:
        state["loop"], state["task"] = asyncio.get_running_loop(), asyncio.current_task()
        if state["stopped"]:  # the caller gave up before this thread started
            raise asyncio.CancelledError
        return await make(relay)

    if _batches["running"] == 0:
        gc.freeze()
        _batches["thresholds"] = gc.get_threshold()
        gc.set_threshold(20_000, 20, 20)
    _batches["running"] += 1
    try:
        return await asyncio.to_thread(lambda: asyncio.run(main()))
    except asyncio.CancelledError:
        state["stopped"] = True  # set before looking for the task: main() sees one or the other
        if state["loop"] is not None and state["task"] is not None:
            state["loop"].call_soon_threadsafe(state["task"].cancel)
        raise
    finally:
        _batches["running"] -= 1
        if _batches["running"] == 0:
            gc.unfreeze()
            gc.set_threshold(*_batches["thresholds"])
