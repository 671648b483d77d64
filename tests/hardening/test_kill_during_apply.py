"""A write killed mid-way (SIGKILL, no chance to clean up) leaves the old file or the new one, never a torn
mix; the next apply clears the dead process's temp file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pmwizard.core.plan import Plan

SIZE = 8 * 1024 * 1024
CHILD = textwrap.dedent("""
    import sys
    from pmwizard.core.plan import Plan
    plan = Plan()
    plan.add(sys.argv[1], b"N" * int(sys.argv[2]))
    print("ready", flush=True)
    plan.apply()
    print("done", flush=True)
""")


def _start(target: Path, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(target), str(SIZE)], stdout=subprocess.PIPE,
                            env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def test_sigkill_during_apply_never_tears_the_file(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    target = tmp_path / "genesis.json"
    old = b"O" * SIZE
    rng = random.Random(7)
    outcomes = {"old": 0, "new": 0}
    mid_write = 0
    for attempt in range(12):
        target.write_bytes(old)
        proc = _start(target, env)
        if attempt < 4:  # kill exactly while the temp file is being written
            deadline = time.monotonic() + 10
            while not list(tmp_path.glob(".genesis.json.*.tmp")) and proc.poll() is None:
                assert time.monotonic() < deadline
            mid_write += proc.poll() is None
        else:  # and at random moments across the whole apply
            time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        data = target.read_bytes()
        assert data in (old, b"N" * SIZE), f"torn file after kill #{attempt}: {len(data)} bytes"
        outcomes["old" if data == old else "new"] += 1
    assert mid_write >= 1, "at least one kill landed in the middle of writing"
    assert outcomes["old"] >= 1
    plan = Plan()
    plan.add(target, b"final")
    plan.apply()
    assert target.read_bytes() == b"final"
    assert not list(tmp_path.glob(".genesis.json.*.tmp")), "the dead writer's temp file is cleared"
