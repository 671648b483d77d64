"""Each subcommand imports only what it needs (issue 17): `main` registers the chosen subcommand's module alone,
and heavy libraries (asyncio, the plan machinery, dnspython, cryptography's X.509) load only in the commands
that use them. Each case runs the real command in a fresh interpreter and lists the modules it loaded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pmwizard.cli import COMMANDS
from pmwizard.core.keys import NODE_KEY, VALIDATOR_KEY, VALIDATOR_STATE, node_key_text, validator_key_text

# atexit: --version and --help leave through SystemExit
RUN = ("import atexit, json, os, sys\n"
       "atexit.register(lambda: json.dump(sorted(sys.modules), open(os.environ['MODULES_OUT'], 'w')))\n"
       "from pmwizard.cli import main\nsys.exit(main(sys.argv[1:]))\n")


def loaded(tmp_path: Path, *argv: str) -> tuple[set[str], subprocess.CompletedProcess]:
    out = tmp_path / "modules.json"
    env = {**os.environ, "MODULES_OUT": str(out)}
    r = subprocess.run([sys.executable, "-c", RUN, *argv], capture_output=True, text=True, timeout=60,
                       env=env, check=False)
    assert out.exists(), r.stdout + r.stderr
    return set(json.loads(out.read_text())), r


def commands_loaded(mods: set[str]) -> set[str]:
    # common, tree (the command tree: -q/-v, schema names) and examples (--help's epilogs) serve every command
    return {m.split(".")[2] for m in mods if m.startswith("pmwizard.cli.") and m.count(".") == 2} - {
        "common", "tree", "examples"}


def prefixed(mods: set[str], *prefixes: str) -> list[str]:
    return sorted(m for m in mods if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    (h / "config").mkdir(parents=True)
    (h / "data").mkdir()
    (h / VALIDATOR_KEY).write_text(validator_key_text(bytes(range(32))))
    (h / NODE_KEY).write_text(node_key_text(bytes(range(1, 33))))
    (h / VALIDATOR_STATE).write_text('{"height": "0", "round": 0, "step": 0}')
    return h


def test_version_loads_no_subcommand(tmp_path: Path) -> None:
    mods, r = loaded(tmp_path, "--version")
    assert r.returncode == 0 and "pmwizard" in r.stdout
    assert commands_loaded(mods) == set()
    assert prefixed(mods, "asyncio", "pmwizard.core", "pmwizard.checks", "argcomplete", "argparse") == []


def test_identity_show_reads_keys_without_plan_or_asyncio(tmp_path: Path, home: Path) -> None:
    mods, r = loaded(tmp_path, "identity", "show", "--home", str(home))
    assert r.returncode == 0 and "node_id" in r.stdout, r.stderr
    assert commands_loaded(mods) == {"identity"}
    assert prefixed(mods, "asyncio", "pmwizard.core.plan", "cryptography", "dns", "textual", "rich") == []
    # the two biggest imports left on this path once: dataclasses (it loads inspect) and OpenSSL's hashlib
    assert prefixed(mods, "dataclasses", "inspect", "hashlib", "_hashlib") == []


def test_check_p2p_to_an_ip_loads_no_dns_nor_x509(tmp_path: Path) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on: refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mods, r = loaded(tmp_path, "check", "p2p", f"127.0.0.1:{port}", "--timeout", "2", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["findings"], r.stderr
    assert commands_loaded(mods) == {"check"}
    assert prefixed(mods, "dns", "cryptography.x509", "pmwizard.checks.dnscheck", "pmwizard.checks.tlscheck",
                    "pmwizard.checks.certs", "pmwizard.core.plan") == []
    assert "pmwizard.checks.secretconn" in mods  # the handshake itself did run


def test_check_tls_to_an_ip_loads_no_dns(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mods, r = loaded(tmp_path, "check", "tls", "127.0.0.1", "--port", str(port), "--timeout", "2", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["findings"], r.stderr
    assert prefixed(mods, "dns", "pmwizard.checks.dnscheck", "pmwizard.checks.lookup", "nacl") == []
    assert "pmwizard.checks.tlscheck" in mods


def test_genesis_validate_loads_no_card_machinery(tmp_path: Path) -> None:
    genesis = Path(__file__).parents[1] / "fixtures/tendermint/genesis-cases/valid_src01_full_default.json"
    mods, r = loaded(tmp_path, "genesis", "validate", str(genesis))
    assert r.returncode == 0 and r.stdout.startswith("valid:"), r.stdout + r.stderr
    assert prefixed(mods, "asyncio", "nacl", "pmwizard.core.cards", "pmwizard.core.keys", "pmwizard.core.plan",
                    "pmwizard.core.genesis_docs") == []


@pytest.mark.parametrize("argv, allowed", [
    (["card", "verify", "--help"], {"card"}),
    (["genesis", "validate", "--help"], {"genesis"}),
    (["configure", "--help"], {"configure"}),
    (["services", "--help"], {"services"}),
    (["check", "tls", "--help"], {"check"}),
    (["doctor", "--help"], {"doctor", "doctor_network", "check"}),  # check's DNS options and report; --network
    (["undo", "--help"], {"undo"}),
])
def test_each_subcommand_registers_only_itself(tmp_path: Path, argv: list[str], allowed: set[str]) -> None:
    mods, r = loaded(tmp_path, *argv)
    assert "usage" in r.stdout
    assert commands_loaded(mods) <= allowed, sorted(commands_loaded(mods))
    assert prefixed(mods, "asyncio", "dns", "cryptography", "nacl", "textual", "rich") == []


def test_help_still_lists_every_command(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "pmwizard", "--help"], capture_output=True, text=True, timeout=60,
                       check=False)
    assert r.returncode == 0
    present = [n for n in COMMANDS if (Path(__file__).parents[2] / "pmwizard" / "cli" / f"{n}.py").exists()]
    for name in present:
        assert f"    {name} " in r.stdout or f"    {name}\n" in r.stdout, (name, r.stdout)


def test_an_unknown_command_lists_every_choice(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "pmwizard", "nosuchcommand"], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 2 and "invalid choice" in r.stderr
    assert "'identity'" in r.stderr and "'doctor'" in r.stderr
