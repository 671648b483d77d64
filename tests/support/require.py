"""Find the real programs tests need. Missing: skip on a developer machine, FAIL under CI=true."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("PMWIZARD_CACHE", Path.home() / ".cache"))


def missing(what: str, how: str) -> None:
    msg = f"{what} not found: {how}"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def require_binary(name: str, *extra_dirs: str) -> str:
    """Absolute path of `name` from PATH (plus sbin folders and `extra_dirs`)."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/local/sbin", *extra_dirs])
    path = shutil.which(name, path=search)
    if not path:
        missing(name, "install it (bash .ci/run installs everything the tests need)")
    return str(path)


def tendermint_binary() -> str:
    """$PMWIZARD_TENDERMINT, else `tendermint` on PATH, else the one scripts/build-tendermint.sh builds."""
    env = os.environ.get("PMWIZARD_TENDERMINT")
    if env and os.access(env, os.X_OK):
        return env
    found = shutil.which("tendermint")
    if found:
        return found
    built = CACHE / "pmwizard-tm" / "tendermint"
    if os.access(built, os.X_OK):
        return str(built)
    missing("tendermint (CometBFT 0.34)", "run scripts/build-tendermint.sh")
    raise AssertionError("unreachable")


def planetmint_venv() -> Path:
    """$PMWIZARD_PLANETMINT_VENV, else the venv scripts/install-planetmint.sh makes."""
    venv = Path(os.environ.get("PMWIZARD_PLANETMINT_VENV", CACHE / "pmwizard-pm"))
    if not (venv / "bin" / "planetmint").exists():
        missing("planetmint", "run scripts/install-planetmint.sh")
    return venv
