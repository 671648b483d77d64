"""Issue 12 items 3 and 4, issue 13 item 3 (write side): writes that cannot surprise. Real files, real FIFOs,
device nodes, a real full tmpfs, a real other owner: every refusal is one line naming the path, no
traceback, nothing on disk changed, exit 1 (bad input) or 3 (could not write)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pmwizard.core.plan import Plan
from pmwizard.errors import InputError, WriteRefused
from tests.support.clinet import cli_network
from tests.support.require import missing


def pmw(*argv: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pmwizard", *argv], capture_output=True, text=True,
                          timeout=timeout, env=dict(env or os.environ), check=False)


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line of a refused command (and no traceback)."""
    assert "Traceback" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    return lines[0]


def need_root() -> None:
    if os.geteuid() != 0:
        missing("root", "run the tests as root (CI does): device nodes, chown and tmpfs need it")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return cli_network(tmp_path_factory.mktemp("net2"), 2)


def _fill(folder: Path) -> None:
    """Fill the filesystem of `folder` up to the last block."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"f" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


# --- item 3: the stale-temp clean-up, device nodes, FIFOs, owner and mode -------------------------------

def test_an_output_named_star_leaves_other_temp_files_alone(tmp_path: Path) -> None:
    others = [tmp_path / ".X.Y.tmp", tmp_path / ".config.toml.abcdefgh.tmp", tmp_path / ".a.b.c.tmp"]
    for p in others:
        p.write_text("someone else's")
    plan = Plan()
    plan.add(tmp_path / "*", "card\n")
    plan.apply()
    assert (tmp_path / "*").read_text() == "card\n"
    assert all(p.read_text() == "someone else's" for p in others)


def test_a_dead_writers_temp_file_of_the_same_name_is_still_cleared(tmp_path: Path) -> None:
    target = tmp_path / "genesis.json"
    stale = [tmp_path / ".genesis.json.k3j_x9Qa.tmp",
             tmp_path / ".genesis.json.20261202T010203123456Z.bak.ab12cd34.tmp"]
    for p in stale:
        p.write_text("half")
    plan = Plan()
    plan.add(target, "{}\n")
    plan.apply()
    assert not any(p.exists() for p in stale)


def test_a_device_node_as_output_is_refused_not_replaced(net: dict, tmp_path: Path) -> None:
    need_root()
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    r = pmw("genesis", "new", str(net["cards"][0]), "-o", str(dev))
    assert r.returncode == 1
    line = one_line(r)
    assert str(dev) in line and "character device" in line
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_fifo_as_output_is_refused_at_once(net: dict, tmp_path: Path) -> None:
    fifo = tmp_path / "genesis.json"
    os.mkfifo(fifo)
    started = time.monotonic()
    r = pmw("genesis", "new", str(net["cards"][0]), "-o", str(fifo), timeout=30)
    assert r.returncode == 1 and "FIFO" in one_line(r) and str(fifo) in one_line(r)
    assert time.monotonic() - started < 20
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def _feed(fifo: Path, payloads: list[bytes], stop: threading.Event) -> threading.Thread:
    """A writer that hands each payload to the next reader that opens the FIFO."""
    def run() -> None:
        for data in payloads:
            while not stop.is_set():
                try:
                    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                    break
                except OSError as exc:
                    assert exc.errno == errno.ENXIO  # no reader yet
                    time.sleep(0.01)
            else:
                return
            os.set_blocking(fd, True)
            os.write(fd, data)
            os.close(fd)
            while not stop.is_set():  # the next payload only for a reader that opens the FIFO again
                try:
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    time.sleep(0.01)
                except OSError as exc:
                    assert exc.errno == errno.ENXIO
                    break
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_a_fifo_as_input_is_read_and_a_silent_one_ends(net: dict, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "in.json"
    os.mkfifo(fifo)
    stop = threading.Event()
    _feed(fifo, [net["genesis"].read_bytes()], stop)
    r = pmw("genesis", "validate", "--json", str(fifo), timeout=30)
    stop.set()
    assert r.returncode == 0 and json.loads(r.stdout)["valid"], r.stderr
    from pmwizard.core import safeio

    monkeypatch.setattr(safeio, "STREAM_WAIT", 0.3)  # nobody writes: the wait is bounded
    from pmwizard.core.genesis import read_genesis

    started = time.monotonic()
    with pytest.raises(InputError, match="nothing arrived"):
        read_genesis(fifo)
    assert time.monotonic() - started < 5


def test_root_keeps_the_owner_and_mode_of_what_it_replaces(net: dict, tmp_path: Path) -> None:
    need_root()
    home = net["homes"][1]
    config = home / "config"
    for name in ("config.toml", "genesis.json"):
        f = config / name
        if not f.exists():
            f.write_text("{}\n" if name.endswith(".json") else "moniker = \"x\"\n")
        os.chown(f, 4321, 4322)
        os.chmod(f, 0o640)
    r = pmw("configure", "--genesis", str(net["genesis"]), "--peers", *map(str, net["cards"]), "--moniker", "m1",
            "--home", str(home), "--yes")
    assert r.returncode == 0, r.stderr
    for name in ("config.toml", "genesis.json"):
        st = os.stat(config / name)
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (4321, 4322, 0o640), name
    assert (config / "genesis.json").read_bytes() == net["genesis"].read_bytes()


# --- item 3 / 13.3: one line for every OSError ------------------------------------------------------------

@pytest.mark.parametrize("shape", ["folder", "under_a_file", "long_name"])
def test_unusable_output_paths_give_one_line(net: dict, tmp_path: Path, shape: str) -> None:
    (tmp_path / "plain").write_text("a file\n")
    out = {"folder": tmp_path, "under_a_file": tmp_path / "plain" / "genesis.json",
           "long_name": tmp_path / ("g" * 300 + ".json")}[shape]
    before = sorted(os.listdir(tmp_path))
    r = pmw("genesis", "new", str(net["cards"][0]), "-o", str(out))
    assert r.returncode in (1, 3)
    line = one_line(r)
    assert str(out)[:40] in line or str(tmp_path / "plain") in line
    assert {"folder": "is a folder", "under_a_file": "not a folder", "long_name": "too long"}[shape] in line
    assert sorted(os.listdir(tmp_path)) == before


def test_a_full_output_disk_is_one_line_and_exit_3(net: dict, small_tmpfs: Path) -> None:
    out = small_tmpfs / "genesis.json"
    out.write_text("{}\n")
    _fill(small_tmpfs)
    r = pmw("genesis", "new", str(net["cards"][0]), "-o", str(out))
    assert r.returncode == 3
    line = one_line(r)
    assert "no space left" in line and str(small_tmpfs) in line
    assert out.read_text() == "{}\n"


def test_a_full_state_folder_is_one_line_and_exit_3(net: dict, small_tmpfs: Path, tmp_path: Path) -> None:
    _fill(small_tmpfs)
    out = tmp_path / "genesis.json"
    out.write_text("{}\n")
    r = pmw("genesis", "new", str(net["cards"][0]), "-o", str(out),
            env={**os.environ, "XDG_STATE_HOME": str(small_tmpfs)})
    assert r.returncode == 3
    line = one_line(r)
    assert "no space left" in line and str(small_tmpfs) in line
    assert out.read_text() == "{}\n"  # the journal could not be written, so the file was not replaced
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("genesis")) == ["genesis.json"]


@pytest.mark.parametrize("damage", [b"[]", b'{"written": 5}', b'{"written": [1]}', b'{"written": [{"path": 3}]}',
                                    b"\xff\xfe", b"[" * 100000],
                         ids=["list", "number", "entry-number", "path-number", "not-utf8", "nesting-bomb"])
def test_a_damaged_journal_is_one_line(damage: bytes, tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "pmwizard").mkdir(parents=True)
    (state / "pmwizard" / "last-apply.json").write_bytes(damage)
    r = pmw("undo", "--check", env={**os.environ, "XDG_STATE_HOME": str(state)})
    assert r.returncode == 1
    assert "last-apply.json" in one_line(r)


# --- item 4: configure installs exactly the bytes it validated -------------------------------------------

def test_configure_installs_the_bytes_it_validated(net: dict, tmp_path: Path) -> None:
    """The genesis arrives through a FIFO that gives a second reader other bytes: read once, the shown
    SHA-256 is that of the installed file and the other bytes never get in."""
    good = net["genesis"].read_bytes()
    evil = good.replace(b'"pm-test"', b'"pm-evil"')
    fifo = tmp_path / "genesis.json"
    os.mkfifo(fifo)
    home = net["homes"][0]
    stop = threading.Event()
    _feed(fifo, [good, evil], stop)
    r = pmw("configure", "--genesis", str(fifo), "--home", str(home), "--yes", timeout=60)
    stop.set()
    assert r.returncode == 0, r.stderr
    installed = (home / "config" / "genesis.json").read_bytes()
    assert installed == good
    assert b"pm-evil" not in installed
    assert hashlib.sha256(installed).hexdigest() == hashlib.sha256(good).hexdigest()


def test_a_plan_refuses_a_folder_target_before_writing(tmp_path: Path) -> None:
    with pytest.raises(WriteRefused, match="is a folder"):
        Plan().add(tmp_path, "x")


def test_a_fifo_in_place_of_a_key_file_is_refused_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert pmw("identity", "init", "--home", str(home)).returncode == 0
    key = home / "config" / "node_key.json"
    key.unlink()
    os.mkfifo(key)
    started = time.monotonic()
    r = pmw("identity", "show", "--home", str(home), timeout=30)
    assert r.returncode == 1 and time.monotonic() - started < 20
    line = one_line(r)
    assert str(key) in line and "FIFO" in line
