"""No private key ever leaves its file: every CLI command, in text mode and with --json, over a home with
known keys. The secret (base64 or hex, whole or the seed half, or a long piece of it) must not appear in any
output, in any file pmwizard wrote (cards, genesis, config, service files, backups) or in its state folder."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from pmwizard.core import keys
from tests.support.require import planetmint_venv, tendermint_binary


def secret_forms(home: Path) -> list[str]:
    forms = []
    for rel in (keys.VALIDATOR_KEY, keys.NODE_KEY):
        value = json.loads((home / rel).read_text())["priv_key"]["value"]
        raw = base64.b64decode(value)
        seed = raw[:32]
        forms += [value, value[:40], base64.b64encode(seed).decode().rstrip("="), raw.hex(), raw.hex().upper(),
                  seed.hex(), seed.hex().upper(), seed.hex()[:32]]
    return forms


def run(*argv: str, env: dict[str, str]) -> tuple[int, str]:
    r = subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True, env=env,
                       timeout=120, check=False)
    return r.returncode, r.stdout + r.stderr


def test_no_command_shows_or_writes_a_private_key(tmp_path: Path) -> None:
    home, out, state = tmp_path / "home", tmp_path / "out", tmp_path / "state"
    out.mkdir()
    env = dict(os.environ, XDG_STATE_HOME=str(state), HOME=str(tmp_path))
    env.pop("TMHOME", None)
    code, text = run("identity", "init", "--home", str(home), env=env)
    assert code == 0, text
    secrets = secret_forms(home)
    h = ["--home", str(home)]
    card = out / "card.json"
    pm = str(planetmint_venv() / "bin" / "planetmint")
    commands = [
        ["identity", "init", *h], ["identity", "show", *h], ["identity", "show", "--json", *h],
        ["card", "export", "--hostname", "127.0.0.1", *h],
        ["card", "export", "--hostname", "127.0.0.1", "-o", str(card), *h],
        ["card", "verify", str(card)], ["card", "verify", "--json", str(card)],
        ["genesis", "new", str(card), "-o", str(out / "genesis.json")],
        ["genesis", "validate", str(out / "genesis.json")],
        ["genesis", "validate", "--json", str(out / "genesis.json")],
        ["configure", "--genesis", str(out / "genesis.json"), "--peers", str(card), "--moniker", "n1", "--check", *h],
        ["configure", "--genesis", str(out / "genesis.json"), "--peers", str(card), "--moniker", "n1", "--yes", *h],
        ["configure", "--genesis", str(out / "genesis.json"), "--moniker", "n2", "--yes", *h],
        ["check", "p2p", "--card", str(card), "--timeout", "0.5"], ["check", "p2p", "--card", str(card), "--json"],
        ["services", "planetmint", "--hostname", "node.example.org", "--output", str(out / ".planetmint"), "--yes", *h],
        ["services", "monit", "--output", str(out / "monit"), "--planetmint-bin", pm,
         "--tendermint-bin", tendermint_binary(), "--yes", *h],
        ["doctor", "--json", "--timeout", "0.5", "--p2p-port", "1", "--tarantool-port", "1", "--rpc",
         "local=http://127.0.0.1:1"],
        ["undo", "--check"], ["undo", "--yes"],
    ]
    for argv in commands:
        code, text = run(*argv, env=env)
        assert "Traceback" not in text, (argv, text)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{argv} printed a private key"
    key_files = {home / keys.VALIDATOR_KEY, home / keys.NODE_KEY}
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p not in key_files]
    assert any(p.name.endswith(".bak") for p in written), "the test did exercise backups"
    for p in written:
        data = p.read_bytes().decode("utf-8", "replace")
        assert not [s for s in secrets if s in data], f"{p} holds a private key"
    assert not list(home.rglob("*key*.bak")) and not list(home.rglob("node_key.json.*")), "keys are never backed up"
