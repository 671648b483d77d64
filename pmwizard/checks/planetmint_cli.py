"""Planetmint's own election commands, run as a subprocess with a deadline: `planetmint -c CONFIG election
new upsert-validator PUB_KEY POWER NODE_ID --private-key FILE` and `election approve ID --private-key FILE`.

pmwizard passes the path of the validator key file, never its content; Planetmint reads it itself. What
Planetmint prints is only a hint: it logs "Failed to commit vote" for a vote that is merely pending, and
crashes with a traceback when the node does not have the election yet. Callers check the chain afterwards
and report that; from Planetmint's output only its last meaningful line is kept (escaped), never a traceback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pmwizard.core.shown import visible
from pmwizard.errors import InputError, PmwizardError

DEFAULT_TIMEOUT = 60.0
_PROPOSED = re.compile(r"Submitted proposal with id: ([0-9a-f]{64})")


class PlanetmintFailed(PmwizardError):
    """Planetmint's CLI did not do what was asked; the message carries its own words, escaped."""


@dataclass(frozen=True)
class PlanetmintCli:
    """Where Planetmint is and which node's config it uses."""

    binary: str
    config: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def find(cls, binary: str | None, config: str | None, timeout: float = DEFAULT_TIMEOUT) -> PlanetmintCli:
        path = binary or shutil.which("planetmint")
        if not path or not Path(path).exists():
            raise InputError(binary or "planetmint", None, "Planetmint's CLI not found: pass --planetmint-bin "
                             "with the path of the planetmint executable (e.g. from its virtualenv)")
        if config and not Path(config).is_file():
            raise InputError(config, None, "no such Planetmint config file (--planetmint-config)")
        return cls(str(path), config, timeout)

    def run(self, *argv: str) -> tuple[int, str]:
        cmd = [self.binary, *(["-c", self.config] if self.config else []), *argv]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=self.timeout, check=False,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise PlanetmintFailed(f"`planetmint {argv[0]} {argv[1]}` did not finish within {self.timeout:g} s "
                                   "(is Tarantool running, does Tendermint's RPC answer?)") from None
        except OSError as exc:
            raise PlanetmintFailed(f"cannot run {visible(self.binary)}: {exc.strerror}") from None
        return r.returncode, (r.stderr or "") + (r.stdout or "")


def last_words(output: str) -> str:
    """The line that says what went wrong: Planetmint's ERROR log line, else a traceback's last line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith(("ERROR:", "CRITICAL:"))]
    pick = errors[-1] if errors else (lines[-1] if lines else "no output")
    pick = re.sub(r"^(ERROR|CRITICAL|INFO|WARNING):[\w.]+:", "", pick)
    return visible(pick[:300])


def propose_upsert(cli: PlanetmintCli, pub_key_b64: str, power: int, node_id: str, key_file: Path) -> str:
    """Call the election; its id, or PlanetmintFailed with Planetmint's reason."""
    code, out = cli.run("election", "new", "upsert-validator", pub_key_b64, str(power), node_id,
                        "--private-key", str(key_file))
    m = _PROPOSED.search(out)
    if m:
        return m.group(1)
    raise PlanetmintFailed(f"Planetmint did not submit the election (exit {code}): {last_words(out)}")


def propose_chain_migration(cli: PlanetmintCli, key_file: Path) -> str:
    code, out = cli.run("election", "new", "chain-migration", "--private-key", str(key_file))
    m = _PROPOSED.search(out)
    if m:
        return m.group(1)
    raise PlanetmintFailed(f"Planetmint did not submit the election (exit {code}): {last_words(out)}")


def approve(cli: PlanetmintCli, election_id: str, key_file: Path) -> tuple[bool, str]:
    """(what Planetmint claims, its words). The caller checks the chain: the claim can be wrong both ways."""
    _code, out = cli.run("election", "approve", election_id, "--private-key", str(key_file))
    return ("Your vote has been submitted" in out, last_words(out))
