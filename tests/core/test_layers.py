"""The core is reachable without the TUI: each headless module, imported alone in a fresh interpreter, loads
neither Textual nor Rich (as Harlequin proves for its own core)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS = ["pmwizard.core.keys", "pmwizard.core.cards", "pmwizard.core.genesis", "pmwizard.core.tmconfig",
            "pmwizard.core.plan", "pmwizard.core.undo", "pmwizard.render.plans", "pmwizard.checks.doctor",
            "pmwizard.demo", "pmwizard.cli.identity", "pmwizard.cli.card", "pmwizard.cli.genesis",
            "pmwizard.cli.configure", "pmwizard.cli.services", "pmwizard.cli.doctor", "pmwizard.cli.undo"]


@pytest.mark.parametrize("module", HEADLESS)
def test_no_textual_or_rich(module: str) -> None:
    code = (f"import sys, {module}; bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_subcommands_run_without_textual() -> None:
    code = ("import sys; from pmwizard.cli import main; main(['genesis', 'validate', '--help'])")
    r = subprocess.run([sys.executable, "-c", code + "\n"], capture_output=True, text=True, timeout=60, check=False)
    assert "usage" in r.stdout
    code = ("import sys, contextlib, io\nfrom pmwizard.cli import build_parser\nbuild_parser()\n"
            "print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr
