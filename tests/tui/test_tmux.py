"""Once in a real terminal: `pmwizard --demo` under tmux (80x24) starts, shows the home screen, enters a
journey with the keyboard, opens and closes the help screen with F1 and Esc, goes back, and quits cleanly with
exit code 0."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.require import require_binary


def test_wizard_in_a_real_terminal(tmp_path: Path) -> None:
    tmux = require_binary("tmux")
    sock = f"pmwizard-test-{os.getpid()}"
    done = tmp_path / "exit-code"
    cmd = f"{sys.executable} -m pmwizard --demo; echo $? > {done}"

    def t(*args: str) -> str:
        return subprocess.run([tmux, "-L", sock, *args], capture_output=True, text=True, timeout=10,
                              check=False).stdout

    def wait_for(text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = t("capture-pane", "-p", "-t", "wiz")
            if text in screen:
                return screen
            assert time.monotonic() < deadline, f"{text!r} never appeared; the terminal shows:\n{screen}"
            time.sleep(0.2)

    env = ["-e", f"XDG_STATE_HOME={tmp_path / 'state'}", "-e", "TERM=xterm-256color"]
    subprocess.run([tmux, "-L", sock, "new-session", "-d", "-s", "wiz", "-x", "80", "-y", "24", *env, cmd],
                   check=True, timeout=10)
    try:
        screen = wait_for("Set up my node")
        assert "Form a network" in screen and "Troubleshoot" in screen
        t("send-keys", "-t", "wiz", "Enter")
        wait_for("step 1 of 10")
        t("send-keys", "-t", "wiz", "F1")
        wait_for("Help: node home and keys")
        t("send-keys", "-t", "wiz", "Escape")
        screen = wait_for("Create missing keys")
        assert "Help:" not in screen
        t("send-keys", "-t", "wiz", "Escape")
        wait_for("Choose a journey")
        t("send-keys", "-t", "wiz", "C-q")
        deadline = time.monotonic() + 20
        while not done.exists():
            assert time.monotonic() < deadline, t("capture-pane", "-p", "-t", "wiz")
            time.sleep(0.2)
        assert done.read_text().strip() == "0"
    finally:
        subprocess.run([tmux, "-L", sock, "kill-server"], capture_output=True, check=False, timeout=10)
