"""A small network made through the command line as its members and coordinator make it: node homes
(`identity init`), their cards on 127.0.0.1 with P2P ports 26700, 26701, ... (`card export`), and a genesis of
the first members' cards (`genesis new`, chain pm-test)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _pmw(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ), check=False)


def cli_network(base: Path, members: int, in_genesis: int | None = None) -> dict:
    """{base, homes, cards, genesis, stderr}: `members` homes and cards, a genesis of the first `in_genesis`
    cards (all by default); `stderr` is what `genesis new` printed (its SHA-256 line)."""
    homes, cards = [], []
    for i in range(members):
        home = base / f"h{i}"
        assert _pmw("identity", "init", "--home", str(home)).returncode == 0
        card = base / f"card{i}.json"
        r = _pmw("card", "export", "--hostname", "127.0.0.1", "--p2p-port", str(26700 + i), "--home", str(home),
                 "-o", str(card))
        assert r.returncode == 0, r.stderr
        homes.append(home)
        cards.append(card)
    genesis = base / "genesis.json"
    r = _pmw("genesis", "new", *map(str, cards[:in_genesis]), "--chain-id", "pm-test", "-o", str(genesis))
    assert r.returncode == 0, r.stderr
    return {"base": base, "homes": homes, "cards": cards, "genesis": genesis, "stderr": r.stderr}
