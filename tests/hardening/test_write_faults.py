"""Faults during apply never cost the previous file: a full disk (a real small tmpfs, and a file-size
limit), a symlinked target, a file changed after the preview. Nothing torn, no temp files left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pmwizard.core.plan import Plan
from pmwizard.errors import WriteRefused

OLD = "moniker = \"old\"\n" * 10


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_full_disk_keeps_old_file(small_tmpfs: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    target = small_tmpfs / "config.toml"
    target.write_text(OLD)
    plan = Plan()
    plan.add(target, "x" * (256 * 1024))  # four times the filesystem
    with pytest.raises(OSError) as err:
        plan.apply()
    assert err.value.errno in (28, 27)  # ENOSPC (or EFBIG)
    assert target.read_text() == OLD
    assert _leftovers(small_tmpfs) == []


def test_file_size_limit_keeps_old_file(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past the limit fail with EFBIG: the same failure as a full disk,
    in a child process so the limit does not touch the test runner."""
    target = tmp_path / "genesis.json"
    target.write_text(OLD)
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        from pmwizard.core.plan import Plan
        plan = Plan()
        plan.add({str(target)!r}, "y" * 100000)
        try:
            plan.apply()
        except OSError as exc:
            print("refused", exc.errno)
            sys.exit(3)
        """
    )
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
                          check=False)
    assert done.returncode == 3, done.stderr
    assert "refused 27" in done.stdout
    assert target.read_text() == OLD
    assert _leftovers(tmp_path) == []


def test_symlinked_target_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    real = tmp_path / "elsewhere.txt"
    real.write_text(OLD)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    plan = Plan()
    plan.add(link, "new\n")
    with pytest.raises(WriteRefused, match="symbolic link"):
        plan.apply()
    assert real.read_text() == OLD
    assert link.is_symlink()


def test_changed_after_preview_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two files in one plan; the second was edited by hand after the preview: neither is written."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    first, second = tmp_path / "a.toml", tmp_path / "b.json"
    first.write_text(OLD)
    second.write_text(OLD)
    plan = Plan()
    plan.add(first, "new a\n")
    plan.add(second, "new b\n")
    second.write_text(OLD + "# edited by hand\n")
    with pytest.raises(WriteRefused, match="changed since the preview"):
        plan.apply()
    assert first.read_text() == OLD
    assert second.read_text() == OLD + "# edited by hand\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["a.toml", "b.json"]
