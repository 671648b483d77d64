"""The software a Planetmint 2.5 node runs, found and its version read: Tendermint/CometBFT 0.34.x,
Planetmint 2.5, Tarantool, Monit and NGINX. One Finding per program (check `software.<program>`), so the
wizard and the CLI show the same verdict; the paths found are what the service files need.

Programs are looked for where they were given, else on PATH, else beside the running Python (a venv's
bin/). Each version command is bounded by a timeout and never reads input."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pmwizard.checks.finding import Finding, Status


@dataclass(frozen=True)
class Program:
    """What to look for: names to try, how to ask the version, and which versions Planetmint 2.5 runs with."""

    key: str
    names: tuple[str, ...]
    version_args: tuple[str, ...]
    wants: str  # in the operator's words
    pattern: str  # a version that matches this regex is the right one
    required: bool = True
    install: str = ""


PROGRAMS = (
    Program("tendermint", ("tendermint", "cometbft"), ("version",), "Tendermint/CometBFT 0.34.x",
            r"^0\.34\.\d+", install="build CometBFT v0.34.x (scripts/build-tendermint.sh) and give its path"),
    Program("planetmint", ("planetmint",), ("--version",), "Planetmint 2.5.x", r"^2\.5\.\d+",
            install="pip install planetmint==2.5.* in a virtual environment, then give <venv>/bin/planetmint"),
    Program("tarantool", ("tarantool",), ("--version",), "Tarantool 2.x (Planetmint's database)", r"^2\.\d+",
            install="apt-get install tarantool"),
    Program("monit", ("monit",), ("-V",), "Monit 5 (keeps the node running)", r"^5\.\d+",
            install="apt-get install monit"),
    Program("nginx", ("nginx",), ("-v",), "NGINX (HTTPS in front of the API)", r"^1\.\d+", required=False,
            install="apt-get install nginx"),
)
VERSION = re.compile(r"v?(\d+\.\d+(?:\.\d+)?)")


def find(program: Program, given: str | None = None) -> str | None:
    """The absolute path of the program: the one given (if it is an executable file), else on PATH, else
    in the bin/ folder of the running Python's environment."""
    if given:
        path = Path(given).expanduser().absolute()
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    for name in program.names:
        hit = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
        if hit:
            return str(Path(hit).absolute())
    return None


def version_of(path: str, program: Program, timeout: float = 5.0) -> str | None:
    """The version the program prints (stdout or stderr: nginx writes it to stderr), or None."""
    try:
        out = subprocess.run([path, *program.version_args], capture_output=True, timeout=timeout,
                             stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (out.stdout + out.stderr).decode("utf-8", "replace")
    match = VERSION.search(text)
    return match.group(1) if match else None


def check_software(given: dict[str, str] | None = None, timeout: float = 5.0) -> list[Finding]:
    """One finding per program: found with the right version (pass), the wrong version (fail, or warn for
    an optional one), or missing (fail / warn). `given` maps a program's key to the path the operator
    typed. Evidence holds the path and the version."""
    given = given or {}
    found: list[Finding] = []
    for p in PROGRAMS:
        path = find(p, given.get(p.key) or None)
        check = f"software.{p.key}"
        bad = Status.FAIL if p.required else Status.WARN
        if path is None:
            where = f"{given[p.key]} is not an executable file" if given.get(p.key) else "not found on PATH"
            found.append(Finding(check, p.key, bad, "missing", f"{p.wants}: {where}", fix=p.install,
                                 evidence={"given": given.get(p.key) or None}))
            continue
        version = version_of(path, p, timeout)
        evidence = {"path": path, "version": version}
        if version and re.match(p.pattern, version):
            found.append(Finding(check, p.key, Status.PASS, "ok", f"{p.key} {version} at {path}",
                                 evidence=evidence))
        else:
            found.append(Finding(check, p.key, bad, "version", f"{path} is {p.key} {version or '(no version)'}; "
                                 f"Planetmint 2.5 needs {p.wants}", fix=p.install, evidence=evidence))
    return found


def paths_found(findings: list[Finding]) -> dict[str, str]:
    """program key -> absolute path, for every program found (whatever its version)."""
    return {f.target: str(f.evidence["path"]) for f in findings if f.evidence.get("path")}
