"""Run a real program for a test: wait (with a deadline) for its port, always stop it, show its logs."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path


def _show(logs: Sequence[Path]) -> str:
    return "\n".join(f"--- {p}\n{p.read_text(errors='replace')}" for p in logs if p.exists())


@contextlib.contextmanager
def running(argv: Sequence[str], port: int, logs: Sequence[Path], workdir: Path,
            timeout: float = 20.0) -> Iterator[subprocess.Popen[bytes]]:
    """Start `argv`, yield once 127.0.0.1:`port` accepts; stop the whole process group at the end.
    If the program exits, never listens, or the test body fails, its logs are printed."""
    stderr = workdir / "stderr.log"
    proc = subprocess.Popen(list(argv), cwd=workdir, stdout=subprocess.DEVNULL, stderr=open(stderr, "wb"),  # noqa: SIM115
                            start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"{argv[0]} exited {proc.returncode}:\n{_show([*logs, stderr])}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"{argv[0]} did not listen on {port} in {timeout} s:\n{_show([*logs, stderr])}")
            time.sleep(0.05)
        try:
            yield proc
        except BaseException:
            print(_show([*logs, stderr]))
            raise
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
