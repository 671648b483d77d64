"""Two pmwizard processes applying at once take turns (an flock in the state folder): both preview the same
two files, both try to write; one wins, the other is refused because the files changed since its preview,
and the pair on disk is always one process's, never a mix. Symlinked key files are reported."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pmwizard.core import keys

CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from pmwizard.core.plan import Plan
    from pmwizard.errors import WriteRefused
    folder, me, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    plan = Plan()
    for name in ("genesis.json", "config.toml"):
        plan.add(folder / name, (me * 200000).encode())
    (folder / f"ready-{me}").touch()
    while not go.exists():
        time.sleep(0.001)
    try:
        plan.apply()
        print("wrote")
    except WriteRefused as exc:
        print("refused", exc)
""")


def test_two_processes_never_interleave(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state"))
    outcomes = []
    for round_ in range(5):
        folder = tmp_path / f"r{round_}"
        folder.mkdir()
        for name in ("genesis.json", "config.toml"):
            (folder / name).write_text("old")
        go = folder / "go"
        procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(folder), me, str(go)], env=env,
                                  stdout=subprocess.PIPE, text=True) for me in ("A", "B")]
        deadline = time.monotonic() + 30
        while not all((folder / f"ready-{me}").exists() for me in ("A", "B")):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        go.touch()
        results = [p.communicate(timeout=60)[0].strip() for p in procs]
        assert sorted(r.split()[0] for r in results) == ["refused", "wrote"], results
        assert all("changed since the preview" in r for r in results if r.startswith("refused"))
        a, b = (folder / "genesis.json").read_text(), (folder / "config.toml").read_text()
        assert a == b and len(set(a)) == 1, "both files come from the same process"
        outcomes.append(a[0])
    assert set(outcomes) <= {"A", "B"}


def test_symlinked_key_file_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    keys.init_plan(home).apply()
    real = tmp_path / "elsewhere.json"
    (home / keys.NODE_KEY).rename(real)
    (home / keys.NODE_KEY).symlink_to(real)
    warnings = keys.load_identity(home).warnings
    assert any("symbolic link" in w for w in warnings)
