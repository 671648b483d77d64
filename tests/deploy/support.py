"""What the deploy tests share: a node home with a signed card and a one-validator genesis, the tools from the
test extra (ansible-playbook, ansible-lint, kubernetes-validate) found next to this interpreter, and a
scan of a folder for any form of the home's private keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.hardening.test_no_key_leak import secret_forms
from tests.support.require import missing


def pmw(*argv: str, env: dict[str, str] | None = None) -> str:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=120,
                       env=env or dict(os.environ), check=False)
    assert r.returncode == 0, f"{argv}: {r.stdout}\n{r.stderr}"
    return r.stdout


def tool(name: str) -> str:
    """A console script of the test extra: beside this interpreter, else on PATH; missing fails under CI."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if os.access(beside, os.X_OK) else shutil.which(name)
    if not found:
        missing(name, "install the test extra: python3 -m pip install -e '.[test]'")
    return str(found)


@dataclass(frozen=True)
class Member:
    """A member's node home (keys), its card and the network's genesis."""

    home: Path
    card: Path
    genesis: Path
    hostname: str
    p2p_port: int


def make_member(base: Path, hostname: str, p2p_port: int) -> Member:
    home = base / "keys-home"
    pmw("identity", "init", "--home", str(home))
    card = base / "card.json"
    pmw("card", "export", "--hostname", hostname, "--p2p-port", str(p2p_port), "--home", str(home), "-o", str(card))
    genesis = base / "genesis.json"
    pmw("genesis", "new", str(card), "-o", str(genesis))
    return Member(home, card, genesis, hostname, p2p_port)


def files_with_key(folder: Path, home: Path) -> list[str]:
    """Every file under `folder` holding any form of the home's private keys (whole, seed, hex, a piece)."""
    forms = secret_forms(home)
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            hits += [f"{path}: {form[:6]}..." for form in forms if form in text]
    return hits
