"""No traceback where operators' shells put pmwizard: a pipe closed early (`| head -1`), an ASCII-only locale,
no terminal for the wizard, and the demo ended by a signal (its sandbox must go, as on Ctrl+Q)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.incli import run_cli
from tests.support.require import require_binary

ASCII_LOCALE = {"LANG": "C", "LC_ALL": "POSIX", "PYTHONIOENCODING": "ascii"}


def pmw(*argv: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[bytes]:
    kw.setdefault("timeout", 60)
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True,
                          env={**os.environ, **(env or {})}, check=False, **kw)  # type: ignore[arg-type]


def test_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "pmwizard", "check", "--list", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout and proc.stderr
    proc.stdout.close()  # the reader is gone before pmwizard writes, as with `| head -0`
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b"", err.decode()


def test_an_ascii_locale_does_not_crash(tmp_path: Path) -> None:
    home, card = tmp_path / "home", tmp_path / "zoe.json"

    def ascii_cli(*argv: str):
        return run_cli(argv, encoding="ascii")

    assert ascii_cli("identity", "init", "--home", str(home)).returncode == 0
    made = ascii_cli("card", "export", "--home", str(home), "--hostname", "straße.example", "--name", "Zoë Ñandú",
                     "-o", str(card))
    assert made.returncode == 0, made.stderr.decode()
    doc = ascii_cli("card", "verify", str(card), "--json")
    assert doc.stdout.isascii() and json.loads(doc.stdout)["cards"][0]["card"]["name"] == "Zoë Ñandú"
    marks = ascii_cli("check", "dns", "bad..name")
    assert marks.returncode == 1 and b"x FAIL  dns.name" in marks.stdout and marks.stdout.isascii()
    # and once as a real process under LANG=C: the text names, the card printed to stdout stays UTF-8
    text = pmw("card", "verify", str(card), env=ASCII_LOCALE)
    assert text.returncode == 0 and b"Zo\\xeb" in text.stdout and b"Traceback" not in text.stderr
    printed = ascii_cli("card", "export", "--home", str(home), "--hostname", "straße.example", "--name", "Zoë")
    assert json.loads(printed.stdout.decode("utf-8"))["name"] == "Zoë"  # a card is UTF-8 whatever the locale


def test_the_wizard_without_a_terminal_exits_2() -> None:
    expected = [("pmwizard: the wizard needs a terminal (stdin and stdout are not one here); without one use a "
                 "subcommand, see `pmwizard --help`")]
    for argv in ([], ["--demo"], ["demo"]):
        r = run_cli(argv)
        assert r.returncode == 2 and r.stdout == b"" and r.stderr.decode().splitlines() == expected, argv
    real = pmw(stdin=subprocess.DEVNULL, timeout=30)  # a real process must not hang waiting for a terminal
    assert real.returncode == 2 and real.stderr.decode().splitlines() == expected


SANDBOX = """
import sys, time
from pmwizard.demo import Sandbox
with Sandbox(handle_signals=True) as sb:
    print(sb.root, flush=True)
    time.sleep(120)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_the_demo_sandbox_goes_on_a_signal(tmp_path: Path, sig: signal.Signals) -> None:
    proc = subprocess.Popen([sys.executable, "-c", SANDBOX], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    try:
        assert proc.stdout
        root = Path(proc.stdout.readline().decode().strip())
        assert root.is_dir() and root.parent == tmp_path and (root / "cards").is_dir()
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 128 + sig
        assert not root.exists() and list(tmp_path.iterdir()) == []
        assert proc.stderr and b"Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_closing_the_terminal_removes_the_wizards_sandbox(tmp_path: Path) -> None:
    """The real wizard in tmux; killing the session hangs up its terminal (SIGHUP)."""
    tmux = require_binary("tmux")
    sock = f"pmwizard-hup-{os.getpid()}"
    sandboxes = tmp_path / "tmp"
    sandboxes.mkdir()

    def t(*args: str) -> str:
        return subprocess.run([tmux, "-L", sock, *args], capture_output=True, text=True, timeout=10,
                              check=False).stdout

    env = ["-e", f"XDG_STATE_HOME={tmp_path / 'state'}", "-e", "TERM=xterm-256color", "-e", f"TMPDIR={sandboxes}"]
    subprocess.run([tmux, "-L", sock, "new-session", "-d", "-s", "wiz", "-x", "80", "-y", "24", *env,
                    f"{sys.executable} -m pmwizard --demo"], check=True, timeout=10)
    try:
        deadline = time.monotonic() + 30
        while "Set up my node" not in t("capture-pane", "-p", "-t", "wiz"):
            assert time.monotonic() < deadline, t("capture-pane", "-p", "-t", "wiz")
            time.sleep(0.2)
        assert len(list(sandboxes.iterdir())) == 1
        t("kill-server")
        deadline = time.monotonic() + 20
        while list(sandboxes.iterdir()):
            assert time.monotonic() < deadline, f"sandbox left behind: {list(sandboxes.iterdir())}"
            time.sleep(0.2)
    finally:
        subprocess.run([tmux, "-L", sock, "kill-server"], capture_output=True, check=False, timeout=10)
