"""The doctor's checks run on an event loop of their own (issue 17): the caller's loop (the wizard's screen)
keeps running while they hold the CPU, receives every finding on its own thread in order before the result,
and cancelling the caller stops the checks."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from pmwizard.checks.doctor import DoctorTarget, run_doctor
from pmwizard.checks.finding import Finding, Status
from pmwizard.checks.own_loop import on_own_loop


async def test_the_callers_loop_runs_while_the_work_holds_the_cpu() -> None:
    ticked = threading.Event()

    async def busy(relay) -> bool:
        # never awaits: on the caller's own loop the ticker below could not run, and this would give up
        deadline = threading.Event()
        threading.Timer(10, deadline.set).start()
        while not ticked.is_set() and not deadline.is_set():
            pass
        deadline.set()
        return ticked.is_set()

    async def ticker() -> None:
        for _ in range(3):
            await asyncio.sleep(0.01)
        ticked.set()

    tick = asyncio.create_task(ticker())
    assert await on_own_loop(busy) is True
    await tick


async def test_findings_arrive_on_the_callers_thread_in_order_before_the_result() -> None:
    seen: list[tuple[str, bool]] = []
    here = threading.get_ident()

    async def check(t, ctx) -> list[Finding]:
        await asyncio.sleep(0)
        assert threading.get_ident() != here  # the checks run elsewhere
        return [Finding("p2p.handshake", t.name, Status.PASS, "ok", f"{t.name} {i}") for i in range(3)]

    targets = [DoctorTarget(f"m{i}", None) for i in range(4)]
    found = await run_doctor(targets, checks=[("p2p.handshake", check)],
                             on_finding=lambda f: seen.append((f.message, threading.get_ident() == here)))
    assert len(found) == 12 and len(seen) == 12
    assert all(on_caller for _, on_caller in seen)
    for i in range(4):
        mine = [m for m, _ in seen if m.startswith(f"m{i} ")]
        assert mine == [f"m{i} 0", f"m{i} 1", f"m{i} 2"]


async def test_cancelling_the_caller_stops_the_work_and_its_deliveries() -> None:
    started, stopped = threading.Event(), threading.Event()
    delivered: list[int] = []

    async def slow(relay) -> None:
        try:
            relay(1)
            started.set()
            await asyncio.sleep(30)
            relay(2)
        finally:
            stopped.set()

    task = asyncio.create_task(on_own_loop(slow, delivered.append))
    assert await asyncio.to_thread(started.wait, 10)  # a thread's Event: waited on from a worker thread
    await asyncio.sleep(0.05)  # the first item is handed over
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(stopped.wait, 10)
    assert delivered == [1]


async def test_objects_alive_at_the_start_are_frozen_while_checks_run_and_unfrozen_after() -> None:
    """A full garbage collection during a batch walks only the batch's objects (the wizard's stall), and
    nothing stays out of the collector's reach once the last batch is done, nor after one is cancelled."""
    import gc

    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    seen: list[int] = []

    raised: list[int] = []

    async def work(relay):
        raised.append(gc.get_threshold()[0])
        seen.append(gc.get_freeze_count())
        inner = await on_own_loop(lambda _relay: asyncio.sleep(0, gc.get_freeze_count()))  # nested: still frozen
        seen.append(inner)
        return "done"

    assert await on_own_loop(work) == "done"
    assert seen[0] > 1000 and seen[1] > 1000  # the test session's modules and objects
    assert raised == [20_000]  # young generations collected less often while checks run
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before

    task = asyncio.ensure_future(on_own_loop(lambda _relay: asyncio.sleep(30)))
    await asyncio.sleep(0.1)
    assert gc.get_freeze_count() > 0
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
