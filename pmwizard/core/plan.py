"""A Plan is the list of file changes pmwizard intends to make, previewed as unified diffs before anything
is written (SPEC §7). Applying it is atomic per file (same-folder temp file, fsync, rename), keeps each
previous version as a timestamped backup beside the file, refuses a file that changed since the preview,
never overwrites a file marked create-only (key files), and records a journal so `pmwizard undo` can
restore the last apply.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pmwizard.core.paths import state_dir
from pmwizard.errors import WriteRefused

MAX_PREVIEW_BYTES = 16 * 1024 * 1024


def _read_bytes(path: Path) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_PREVIEW_BYTES + 1)
    except FileNotFoundError:
        return None


def _sha256(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FileChange:
    """One file to create or replace. `old` is the file's bytes when the preview was made (None: absent)."""

    path: Path
    new: bytes
    old: bytes | None
    mode: int = 0o644
    dir_mode: int = 0o755
    create_only: bool = False
    notes: tuple[str, ...] = ()
    secret: bool = False  # a private key: the preview names the file but never shows its content

    @property
    def is_new(self) -> bool:
        return self.old is None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def counts(self) -> tuple[int, int]:
        """(lines added, lines removed) of the diff."""
        plus = minus = 0
        for line in self._diff_lines():
            if line.startswith("+") and not line.startswith("+++"):
                plus += 1
            elif line.startswith("-") and not line.startswith("---"):
                minus += 1
        return plus, minus

    def _diff_lines(self) -> Iterator[str]:
        if self.secret:
            src = "/dev/null" if self.old is None else f"a{self.path}"
            return iter([f"--- {src}\n", f"+++ b{self.path}\n", "@@ private key: content not shown @@\n"])
        old_text = "" if self.old is None else self.old.decode("utf-8", "replace")
        new_text = self.new.decode("utf-8", "replace")
        return difflib.unified_diff(
            old_text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile="/dev/null" if self.old is None else f"a{self.path}",
            tofile=f"b{self.path}",
        )

    def diff(self) -> str:
        """The unified diff of this change, notes first as `#` lines. Empty string when nothing changes."""
        if not self.changed:
            return ""
        head = "".join(f"# {note}\n" for note in self.notes)
        body = ""
        for line in self._diff_lines():
            body += line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        return head + body


@dataclass(frozen=True)
class Written:
    """What applying one change did: the file written and where its previous version was kept."""

    path: Path
    backup: Path | None
    sha256: str | None = None  # of what was written: undo refuses a file edited since
    key_file: bool = False


@dataclass
class Plan:
    """File changes to preview and then apply. Build with `add`; `diff()` is the exact preview."""

    changes: list[FileChange] = field(default_factory=list)

    def add(
        self,
        path: str | os.PathLike[str],
        new: str | bytes,
        *,
        mode: int = 0o644,
        dir_mode: int = 0o755,
        create_only: bool = False,
        notes: Iterable[str] = (),
        secret: bool = False,
    ) -> FileChange:
        """Snapshot the file as it is now and record what it should become."""
        p = Path(path).expanduser().absolute()
        data = new.encode("utf-8") if isinstance(new, str) else new
        change = FileChange(
            path=p,
            new=data,
            old=_read_bytes(p),
            mode=mode,
            dir_mode=dir_mode,
            create_only=create_only,
            notes=tuple(notes),
            secret=secret,
        )
        self.changes = [c for c in self.changes if c.path != p] + [change]
        return change

    def extend(self, other: Plan) -> None:
        for c in other.changes:
            self.changes = [x for x in self.changes if x.path != c.path] + [c]

    @property
    def pending(self) -> list[FileChange]:
        return [c for c in self.changes if c.changed]

    def diff(self) -> str:
        """Every pending change as one unified diff: what `--check` prints and `--yes` applies."""
        return "".join(c.diff() for c in self.pending)

    def apply(self, only: Iterable[str | os.PathLike[str]] | None = None,
              state: Path | None = None) -> list[Written]:
        """Write the pending changes (or only those paths). Raises WriteRefused before writing anything
        if a file changed since the preview or a create-only file exists. `state`: the folder for the lock
        and the undo journal (default: pmwizard's state folder; the demo passes its sandbox's, so trying
        the demo never replaces the record `pmwizard undo` needs)."""
        chosen = self.pending
        if only is not None:
            wanted = {Path(p).expanduser().absolute() for p in only}
            chosen = [c for c in chosen if c.path in wanted]
        if not chosen:
            return []
        with _apply_lock(state):
            for c in chosen:
                _check_unchanged(c)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            done: list[Written] = []
            for c in chosen:
                done.append(_write_one(c, stamp))
            _record_journal(done, state)
        return done


@contextmanager
def _apply_lock(state: Path | None = None) -> Iterator[None]:
    """Two pmwizard processes applying at once take turns instead of interleaving."""
    folder = state or state_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(folder / "apply.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _check_unchanged(c: FileChange) -> None:
    if c.path.is_symlink():
        raise WriteRefused(f"{c.path}: is a symbolic link; pmwizard writes only regular files")
    now = _read_bytes(c.path)
    if c.create_only and now is not None:
        raise WriteRefused(f"{c.path}: already exists; key files are never overwritten")
    if _sha256(now) != _sha256(c.old):
        raise WriteRefused(
            f"{c.path}: changed since the preview was made; nothing was written. Preview again to see the change."
        )


def _make_dirs(folder: Path, mode: int) -> None:
    missing = []
    p = folder
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=mode)
        os.chmod(d, mode)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_one(c: FileChange, stamp: str) -> Written:
    folder = c.path.parent
    _make_dirs(folder, c.dir_mode)
    # Temp files of an apply that was killed mid-way; we hold the apply lock, so none is in use.
    for stale in folder.glob(f".{c.path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    backup: Path | None = None
    mode = c.mode
    if c.old is not None:
        mode = c.path.stat().st_mode & 0o7777 if c.path.exists() else c.mode
        backup = c.path.with_name(f"{c.path.name}.{stamp}.bak")
        _atomic_write(backup, c.old, mode, create_only=True)
    _atomic_write(c.path, c.new, mode, create_only=c.create_only)
    return Written(path=c.path, backup=backup, sha256=_sha256(c.new), key_file=c.create_only)


def _atomic_write(path: Path, data: bytes, mode: int, *, create_only: bool) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if create_only:
            # link() fails if the target exists: no window in which a key file could be replaced.
            try:
                os.link(tmp, path)
            except FileExistsError as exc:
                raise WriteRefused(f"{path}: already exists; key files are never overwritten") from exc
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
        _fsync_dir(path.parent)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def journal_path(state: Path | None = None) -> Path:
    return (state or state_dir()) / "last-apply.json"


def _record_journal(done: list[Written], state: Path | None = None) -> None:
    entries = [{"path": str(w.path), "backup": str(w.backup) if w.backup else None, "sha256": w.sha256,
                "key_file": w.key_file} for w in done]
    data = json.dumps({"written": entries}, indent=2).encode()
    path = journal_path(state)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _atomic_write(path, data, 0o600, create_only=False)
