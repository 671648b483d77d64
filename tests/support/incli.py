"""Run `pmwizard.cli.main` in this process with its own stdin/stdout/stderr as bytes: the same code path as
the console script (argument parsing, exit codes, output encoding) without a new interpreter per call,
which keeps tests that make many calls fast. Tests that need a real process (signals, pipes) spawn one."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: bytes
    stderr: bytes


def run_cli(argv: Sequence[str], *, stdin: bytes = b"", encoding: str = "utf-8") -> CliResult:
    """`pmwizard ARGV` with `stdin` as standard input; streams use `encoding` (e.g. "ascii" for LANG=C)."""
    from pmwizard.cli import main

    out, err = io.BytesIO(), io.BytesIO()
    streams = (io.TextIOWrapper(io.BytesIO(stdin), encoding=encoding),
               io.TextIOWrapper(out, encoding=encoding, write_through=True),
               io.TextIOWrapper(err, encoding=encoding, write_through=True))
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = streams
    try:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's usage errors and --help
            code = exc.code if isinstance(exc.code, int) else 1
        for s in streams[1:]:
            with contextlib.suppress(ValueError):
                s.flush()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return CliResult(int(code or 0), out.getvalue(), err.getvalue())
