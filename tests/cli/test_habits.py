"""Habits operators expect of a command line: examples under every `--help`, `-q`/`-v`, `-` for standard
input, a `schema` in every JSON document, the check catalogue, and shell completion that real bash runs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pmwizard.checks.catalogue import CATALOGUE
from pmwizard.cli import build_parser
from pmwizard.cli.tree import walk
from tests.support.incli import CliResult, run_cli
from tests.support.require import require_binary


def pmw(*argv: str, stdin: bytes = b"") -> CliResult:
    return run_cli(argv, stdin=stdin)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A node home, its signed card (with a non-ASCII name and host) and a genesis made from it."""
    folder = tmp_path_factory.mktemp("habits")
    home = folder / "home"
    assert pmw("identity", "init", "--home", str(home)).returncode == 0
    card = pmw("card", "export", "--home", str(home), "--hostname", "straße.example", "--name", "Zoë").stdout
    genesis = pmw("genesis", "new", "-", stdin=card)
    assert genesis.returncode == 0, genesis.stderr
    return {"home": home, "card": card, "genesis": genesis.stdout, "folder": folder}


def test_every_command_has_examples_and_quiet_verbose() -> None:
    commands = [c for c in walk(build_parser()) if c.path]
    assert {"identity show", "check dns", "completion", "genesis validate"} <= {" ".join(c.path) for c in commands}
    lacking = [" ".join(c.path) for c in commands if not (c.parser.epilog or "").startswith("examples:")]
    assert not lacking, f"add examples for these to pmwizard/cli/examples.py: {lacking}"
    for c in commands:
        assert f"pmwizard {' '.join(c.path)}" in (c.parser.epilog or ""), c.path
        assert {"-q", "--quiet", "-v", "--verbose"} <= set(c.options), c.path
    shown = pmw("genesis", "validate", "--help").stdout.decode()
    assert "examples:\n  pmwizard genesis validate genesis.json\n" in shown


def test_json_documents_name_their_schema(node: dict, tmp_path: Path) -> None:
    docs = {
        "pmwizard/identity/1": pmw("identity", "show", "--home", str(node["home"]), "--json"),
        "pmwizard/card-verify/1": pmw("card", "verify", "-", "--json", stdin=node["card"]),
        "pmwizard/genesis-validate/1": pmw("genesis", "validate", "-", "--json", stdin=node["genesis"]),
        "pmwizard/check-catalogue/1": pmw("check", "--list", "--json"),
        "pmwizard/findings/1": pmw("check", "dns", "bad..name", "--json"),
    }
    for schema, r in docs.items():
        doc = json.loads(r.stdout)
        assert next(iter(doc)) == "schema" and doc["schema"] == schema, (schema, doc)
    assert json.loads(docs["pmwizard/identity/1"].stdout)["home_reason"] == "--home"
    assert json.loads(docs["pmwizard/card-verify/1"].stdout)["cards"][0]["valid"] is True


def test_dash_reads_standard_input_once_and_bounded(node: dict) -> None:
    verify = pmw("card", "verify", "-", stdin=node["card"])
    assert verify.returncode == 0 and b"<stdin>: Zo" in verify.stdout and b"xn--strae-oqa.example" in verify.stdout
    valid = pmw("genesis", "validate", "-", stdin=node["genesis"])
    assert valid.returncode == 0 and valid.stdout.startswith(b"valid: <stdin>"), valid.stdout
    twice = pmw("card", "verify", "-", "-", stdin=node["card"])
    assert twice.returncode == 1 and twice.stderr.decode().strip().splitlines() == [
        "pmwizard: <stdin>: `-` (standard input) can be given only once"]
    from pmwizard.core.genesis import MAX_GENESIS_BYTES

    huge = pmw("genesis", "validate", "-", stdin=b" " * (MAX_GENESIS_BYTES + 10))
    limit = f"at most {MAX_GENESIS_BYTES // 1024} KiB".encode()
    assert huge.returncode == 1 and limit in huge.stderr and b"Traceback" not in huge.stderr
    garbage = pmw("genesis", "validate", "-", "--json", stdin=b"\xff\xfe{")
    assert garbage.returncode == 1 and json.loads(garbage.stdout)["valid"] is False


def test_quiet_and_verbose(node: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "card.json"
    loud = pmw("card", "export", "--home", str(node["home"]), "--hostname", "a.example", "-o", str(out), "-v")
    assert loud.returncode == 0
    assert f"pmwizard: node home {node['home']} (--home)".encode() in loud.stderr and b"wrote " in loud.stderr
    quiet = pmw("-q", "card", "export", "--home", str(node["home"]), "--hostname", "a.example", "-o", str(out))
    assert quiet.returncode == 0 and quiet.stderr == b"" and quiet.stdout == b""
    monkeypatch.setenv("CMTHOME", str(node["home"]))
    cmt = pmw("identity", "show")
    assert f"home          {node['home']}  ($CMTHOME)".encode() in cmt.stdout


def test_check_list_is_the_catalogue() -> None:
    text = pmw("check", "--list").stdout.decode()
    for c in CATALOGUE:
        assert f"{c.check}  " in text and ", ".join(c.codes) in text
    doc = json.loads(pmw("check", "--list", "--json").stdout)
    assert [c["check"] for c in doc["checks"]] == [c.check for c in CATALOGUE]
    assert "p2p.handshake" in {c["check"] for c in doc["checks"]}
    bare = pmw("check")
    assert bare.returncode == 2 and b"--list" in bare.stderr


BASH_DRIVER = r"""
source "$1"
complete_words() {  # the words typed so far, the last one being completed
  COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
  _pmwizard
  echo "${COMPREPLY[*]}"
}
while IFS= read -r line; do
  read -r -a words <<< "$line"
  complete_words pmwizard "${words[@]}" ""
done
"""


def test_bash_completion_covers_the_whole_tree(tmp_path: Path) -> None:
    bash = require_binary("bash")
    script = tmp_path / "pmwizard.bash"
    script.write_bytes(pmw("completion", "bash").stdout)
    driver = tmp_path / "driver.sh"
    driver.write_text(BASH_DRIVER)
    commands = [c for c in walk(build_parser()) if c.subcommands or c.path]
    asks = [" ".join(c.path) for c in commands] + ["check csr --key-type", "services", "genesis validate --h"]
    # the last line has no trailing "" (it completes --h), so drive it separately below
    r = subprocess.run([bash, str(driver), str(script)], input="\n".join(asks[:-1]) + "\n", capture_output=True,
                       text=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    got = r.stdout.splitlines()
    assert len(got) == len(asks) - 1, r.stdout
    for cmd, line in zip(commands, got, strict=False):
        offered = set(line.split())
        assert set(cmd.subcommands) <= offered, (cmd.path, line)
        assert {"--help", "--quiet"} <= offered, (cmd.path, line)
    assert got[-2].split() == ["ec", "rsa"]
    assert {"monit", "nginx", "planetmint", "tarantool"} <= set(got[-1].split())
    partial = subprocess.run([bash, "-c", (f'source "{script}"; COMP_WORDS=(pmwizard genesis validate --h); '
                                           'COMP_CWORD=3; _pmwizard; echo "${COMPREPLY[*]}"')],
                             capture_output=True, text=True, timeout=30, check=False)
    assert partial.stdout.split() == ["--help"]
    zsh = pmw("completion", "zsh").stdout.decode()
    assert zsh.startswith("#compdef pmwizard") and "bashcompinit" in zsh and "_pmwizard()" in zsh


def test_zsh_completion_through_bashcompinit(tmp_path: Path) -> None:
    """zsh calls the function the way its bashcompinit does (compgen -F, sh emulation)."""
    zsh = require_binary("zsh")
    script = tmp_path / "_pmwizard"
    script.write_bytes(pmw("completion", "zsh").stdout)

    def complete(*words: str) -> list[str]:
        typed = " ".join(f'"{w}"' for w in ("pmwizard", *words))
        code = (f'autoload -U compinit && compinit -u; source "{script}"; '
                f'COMP_WORDS=({typed}); COMP_CWORD={len(words)}; compgen -F _pmwizard -- "{words[-1]}"')
        r = subprocess.run([zsh, "-f", "-c", code], capture_output=True, text=True, timeout=30, check=False)
        assert r.returncode == 0, r.stderr
        return r.stdout.split()

    assert {"dns", "tls", "p2p", "--list"} <= set(complete("check", ""))
    assert complete("check", "csr", "--key-type", "") == ["ec", "rsa"]
    assert {"identity", "completion", "--home"} <= set(complete(""))
