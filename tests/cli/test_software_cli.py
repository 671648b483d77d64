"""`pmwizard software`: the programs a Planetmint 2.5 node runs, found with their versions (the real
CometBFT 0.34 build, Planetmint 2.5 in its venv, Debian's Tarantool, Monit and NGINX); a program of the
wrong version or a path that is not one is a failure (exit 1) with what to install."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.require import planetmint_venv, require_binary, tendermint_binary


def software(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", "software", *argv, "--json"], capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_real_stack_is_found_with_its_versions() -> None:
    for name in ("tarantool", "monit", "nginx"):
        require_binary(name)
    planetmint = str(planetmint_venv() / "bin" / "planetmint")
    r = software("--tendermint-bin", tendermint_binary(), "--planetmint-bin", planetmint)
    assert r.returncode == 0, r.stdout + r.stderr
    found = {f["target"]: f for f in json.loads(r.stdout)["findings"]}
    assert found["tendermint"]["evidence"]["version"].startswith("0.34.")
    assert found["planetmint"]["evidence"]["version"].startswith("2.5.")
    assert found["planetmint"]["evidence"]["path"] == planetmint
    assert all(f["status"] == "pass" for f in found.values())


def test_a_wrong_version_and_a_missing_program_fail(tmp_path) -> None:
    tarantool = require_binary("tarantool")
    r = software("--tendermint-bin", tarantool, "--planetmint-bin", str(tmp_path / "nope"))
    assert r.returncode == 1, r.stdout + r.stderr
    found = {f["target"]: f for f in json.loads(r.stdout)["findings"]}
    assert (found["tendermint"]["status"], found["tendermint"]["code"]) == ("fail", "version")
    assert "Planetmint 2.5 needs Tendermint/CometBFT 0.34.x" in found["tendermint"]["message"]
    assert (found["planetmint"]["status"], found["planetmint"]["code"]) == ("fail", "missing")
    assert "pip install planetmint" in found["planetmint"]["fix"]
